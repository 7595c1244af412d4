package org.kmodpack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.kmodpack.testkernels.SyntheticKernel;
import org.kmodpack.testkernels.SyntheticKernels;

/**
 * The basic synthetic kernel's module tree packed by {@code kmodpack pack}, as most CLI tests start: the tree, the
 * bundle, and the key pair KEY.key/KEY.pub it is signed with (null when unsigned).
 */
record BasicBundle(Path tree, Path bundle, Path key) {
    /** Packs the tree into {@code bundle} with {@code packOptions}, unsigned. */
    static BasicBundle pack(Path bundle, String... packOptions) throws IOException {
        return pack(bundle, null, packOptions);
    }

    /** Makes the key pair {@code key}.key/.pub and packs the tree into {@code bundle} (64K blocks) signed by it. */
    static BasicBundle packSigned(Path bundle, Path key) throws IOException {
        CliTest.Run keygen = CliTest.run("keygen", "-o", key.toString());
        assertEquals(0, keygen.exit(), keygen.err());
        return pack(bundle, key, "--block-size", "64K", "--sign", key + ".key");
    }

    /** The public key file, for --trust. */
    String publicKey() {
        return key + ".pub";
    }

    private static BasicBundle pack(Path bundle, Path key, String... packOptions) throws IOException {
        Path tree = SyntheticKernels.moduleDir(SyntheticKernel.BASIC);
        List<String> args = new ArrayList<>(List.of("pack", tree.toString(), "-o", bundle.toString()));
        args.addAll(List.of(packOptions));
        CliTest.Run pack = CliTest.run(args.toArray(String[]::new));
        assertEquals(0, pack.exit(), pack.err());
        return new BasicBundle(tree, bundle, key);
    }
}
