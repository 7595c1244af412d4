package org.kmodpack.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.kmodpack.fuse.Unmount;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "umount", mixinStandardHelpOptions = true,
        description = {"Unmount a bundle and wait until the mount is gone.",
            "Also clears the dead mount point a killed daemon leaves behind ('Transport endpoint is not connected')."},
        footer = {"", "Example:", "  kmodpack umount /lib/modules/6.1.0-28-amd64"})
final class UmountCommand implements Callable<Integer> {
    @Parameters(paramLabel = "MOUNTPOINT")
    Path mountPoint;

    @Override
    public Integer call() throws Exception {
        if (!Unmount.unmount(mountPoint)) {
            throw new IOException(mountPoint + ": nothing is mounted there");
        }
        return 0;
    }
}
