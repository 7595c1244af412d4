package org.kmodpack.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.kmodpack.fuse.Unmount;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "umount", mixinStandardHelpOptions = true,
        description = {"Unmount a kmodpack mount and wait until it is gone; anything else is refused.",
            "MOUNTPOINT may be any path that leads to the mount (e.g. /lib/modules/KVER on a merged /usr).",
            "Also clears the dead mount point a killed daemon leaves behind ('Transport endpoint is not connected')."},
        footer = {"", "Example:", "  kmodpack umount /lib/modules/6.1.0-28-amd64"})
final class UmountCommand implements Callable<Integer> {
    @Parameters(paramLabel = "MOUNTPOINT", description = "The mount's directory, or any path that leads to it.")
    Path mountPoint;

    @Override
    public Integer call() throws Exception {
        Unmount.unmount(mountPoint);
        return 0;
    }
}
