package org.kmodpack.cli;

import org.kmodpack.format.Header;
import picocli.CommandLine.IVersionProvider;

final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String version = VersionProvider.class.getPackage().getImplementationVersion();
        return new String[] {"kmodpack " + (version != null ? version : "(development build)")
                + ", reads and writes bundle formats " + Header.MAJOR_VERSION + "." + Header.MINOR_VERSION + " to "
                + Header.MAJOR_VERSION + "." + Header.NEWEST_MINOR_VERSION};
    }
}
