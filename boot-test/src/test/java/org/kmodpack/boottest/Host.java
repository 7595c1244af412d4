package org.kmodpack.boottest;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.kmodpack.testkernels.Commands;
import org.kmodpack.testkernels.ProcessResult;

/** Commands run on this host: kmodpack from this checkout, the image builder's install, mount, systemctl. */
final class Host {
    /** The reactor root: this module's parent, where the tests run from. */
    static final Path CHECKOUT = Path.of("").toAbsolutePath().getParent();

    private Host() {
    }

    /** The checkout's {@code kmodpack} launcher, as a user runs it (it builds the jar when stale). */
    static ProcessResult kmodpack(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(CHECKOUT.resolve("kmodpack").toString()));
        command.addAll(List.of(args));
        return check(command);
    }

    /** Runs {@code command} from the checkout and throws, with its stderr, unless it exits 0. */
    static ProcessResult check(List<String> command) throws IOException {
        return Commands.check(CHECKOUT, command);
    }
}
