package org.kmodpack.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line of {@code kmodpack mount}, parsed here rather than by picocli: the mount daemon starts on
 * every boot, and picocli's reflection over annotations and its 170 classes (compiled for Java 5, which class
 * data sharing cannot archive) were a quarter of its CPU time until the tree answered. The trust options fill the
 * same {@link SystemTrustOptions} the other commands use, so they mean the same everywhere.
 */
final class MountArguments {
    static final String USAGE = String.join("\n",
            "Usage: kmodpack mount BUNDLE [MOUNTPOINT] [--trust FILE|DIR]... [--allow-unsigned] [--threshold K]",
            "                      [--check-validity] [--min-serial N] [--allow-expired] [--foreground]",
            "                      [-o FUSE_OPTIONS] [--cache-size SIZE] [--multi-threaded] [--timeout SECONDS]",
            "                      [--ca FILE] [--cache-dir DIR] [--cache-limit SIZE] [--plain-http]",
            "                      [--username USER --password-stdin] [--prefetch devices|all|index|none]",
            "                      [--log FILE] [--debug]",
            "                      [--layer LAYER]... [--layer-dir DIR] [--layer-trust FILE|DIR]... [--allow-shadow]",
            "                      [--firmware-at DIR | --no-firmware]",
            "Mount a bundle read-only where its module tree belongs, for kmod and the kernel to use.",
            "Returns once the tree answers; the daemon keeps serving until 'kmodpack umount', SIGTERM or SIGINT.",
            "Every block is checked against the bundle's signed hashes first. If the kernel has no FUSE yet, fuse is",
            "loaded from the bundle.",
            "      BUNDLE               The bundle (.kpack): a file, an http:// or https:// URL, or an OCI artifact",
            "                             oci://REGISTRY/REPOSITORY:TAG (blocks are fetched when first read and",
            "                             checked against the signed hashes).",
            "      MOUNTPOINT           An existing directory to mount on (default: /lib/modules/KVER, created if",
            "                             absent).",
            "      --trust FILE|DIR     Trust the public keys and certificates (PEM or DER) in FILE, or in the",
            "                             files of DIR; repeatable (default: /etc/kmodpack/trusted.d).",
            "      --allow-unsigned     Accept a bundle that carries no signature (a signed one must still verify",
            "                             with --trust).",
            "      --threshold K        Require signatures by K distinct trusted keys (default 1).",
            "      --check-validity     Refuse certificates outside their validity dates.",
            "      --min-serial N       Refuse bundles whose serial is below N (rollback protection).",
            "      --allow-expired      Accept a bundle whose signed statement has expired.",
            "      --foreground         Serve attached to the terminal, or to systemd: a Type=notify unit gets",
            "                             READY=1 once the tree answers.",
            "  -o FUSE_OPTIONS          Extra libfuse mount options, comma-separated (e.g. max_read=131072).",
            "      --cache-size SIZE    Memory for decompressed blocks (default 4M; the kernel's page cache keeps",
            "                             what was read; a larger cache needs a larger heap: KMODPACK_JAVA_OPTS).",
            "      --multi-threaded     Let libfuse serve requests from several threads.",
            "      --timeout SECONDS    How long to wait for the mount to answer before giving up, and for a remote",
            "                             bundle how long one read may take, retries included (default 30).",
            "      --ca FILE            For an https:// bundle: also trust the certificate authority in FILE.",
            "      --cache-dir DIR      For a remote bundle: keep fetched blocks in DIR, shared by every bundle",
            "                             and checked again when read; with --layer, the union built there",
            "                             (default /var/cache/kmodpack).",
            "      --cache-limit SIZE   Bound of the --cache-dir blocks (default 1G).",
            "      --plain-http         For an oci:// bundle: plain HTTP to the registry (default on loopback only).",
            "      --username USER      For an oci:// bundle: log in as USER, the password read from standard",
            "      --password-stdin       input (default: ~/.docker/config.json or $REGISTRY_AUTH_FILE).",
            "      --prefetch WHAT      For a remote bundle: what to fetch in the background once mounted, reads",
            "                             through the mount going first. devices (default: kmod's index files and",
            "                             the modules the device modaliases under /sys resolve to, as modprobe",
            "                             resolves them, so that coldplug at boot finds them cached), all (every",
            "                             block: within --cache-limit, the mount then keeps serving if the server",
            "                             goes away), index (kmod's index files), none. A file bundle ignores it.",
            "      --log FILE           Where the daemon writes its messages once mounted in the background",
            "                             (default: /run/kmodpack/MOUNTPOINT.log, removed at unmount if empty).",
            "      --layer LAYER        Serve the union of BUNDLE and this layer (kmodpack pack DIR --layer), with",
            "                             the index files depmod writes for the union; repeatable, in order.",
            "      --layer-dir DIR      Also the layers DIR/*.kpack, in name order, after the --layer ones (none if",
            "                             DIR is absent): the boot unit's /boot/modules-KVER.d.",
            "      --layer-trust FILE|DIR",
            "                           Also trust these keys and certificates for layers only; repeatable.",
            "      --allow-shadow       Let a later layer replace a file of an earlier one (otherwise refused).",
            "      --firmware-at DIR    Serve the bundle's firmware in DIR, an existing directory (default:",
            "                             /lib/firmware/updates/KVER, created if absent, the first directory the",
            "                             kernel's firmware loader searches). Unmounted with the module directory.",
            "      --no-firmware        Do not serve the bundle's firmware (a bundle without firmware serves none).",
            "      --debug              Print stack traces of errors.",
            "  -h, --help               Show this help message and exit.",
            "  -V, --version            Print version information and exit.",
            "Examples:",
            "  kmodpack mount /boot/modules-6.1.0-28-amd64.kpack",
            "  kmodpack mount modules.kpack /mnt/modules --foreground --allow-unsigned");

    /** A command line that does not parse: exit status 2, as picocli's usage errors. */
    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    String bundle;
    Path mountPoint;
    final SystemTrustOptions trust = new SystemTrustOptions();
    final LayerOptions layers = new LayerOptions();
    Path layerDirectory;
    Path firmwareAt;
    boolean noFirmware;
    boolean foreground;
    final List<String> fuseOptions = new ArrayList<>();
    String cacheSize = "4M";
    boolean multiThreaded;
    int timeoutSeconds = 30;
    Prefetch.Mode prefetch = Prefetch.Mode.DEVICES;
    Path log;
    boolean debug;
    boolean help;
    boolean version;

    private MountArguments() {
        trust.signatures = new TrustOptions();
        trust.signatures.threshold = 1;
    }

    /** {@code args} as the launcher passes them: the word "mount" among the options, --debug anywhere. */
    static MountArguments parse(String[] args) throws UsageException {
        MountArguments parsed = new MountArguments();
        List<String> positional = new ArrayList<>();
        boolean sawMount = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String name = arg;
            String value = null;
            if (arg.startsWith("--") && arg.indexOf('=') > 0) {
                name = arg.substring(0, arg.indexOf('='));
                value = arg.substring(arg.indexOf('=') + 1);
            } else if (arg.startsWith("-o") && arg.length() > 2) {
                name = "-o";
                value = arg.substring(2);
            }
            if (!sawMount && arg.equals("mount")) {
                sawMount = true;
                continue;
            }
            switch (name) {
                case "--debug" -> parsed.debug = true;
                case "-h", "--help" -> parsed.help = true;
                case "-V", "--version" -> parsed.version = true;
                case "--foreground" -> parsed.foreground = true;
                case "--multi-threaded" -> parsed.multiThreaded = true;
                case "--allow-unsigned" -> parsed.trust.allowUnsigned = true;
                case "--check-validity" -> parsed.trust.signatures.checkValidity = true;
                case "--allow-expired" -> parsed.trust.signatures.allowExpired = true;
                case "--plain-http" -> parsed.trust.signatures.source.plainHttp = true;
                case "--password-stdin" -> parsed.trust.signatures.source.passwordStdin = true;
                case "--allow-shadow" -> parsed.layers.allowShadow = true;
                case "--no-firmware" -> parsed.noFirmware = true;
                case "--trust", "--threshold", "--min-serial", "-o", "--cache-size", "--timeout", "--ca", "--cache-dir",
                        "--cache-limit", "--username", "--prefetch", "--log", "--layer", "--layer-dir",
                        "--layer-trust", "--firmware-at" -> {
                    if (value == null) {
                        if (i + 1 >= args.length) {
                            throw new UsageException(name + " needs a value");
                        }
                        value = args[++i];
                    }
                    try {
                        parsed.option(name, value);
                    } catch (IllegalArgumentException e) {
                        throw new UsageException(name + ": " + e.getMessage());
                    }
                }
                default -> {
                    if (arg.startsWith("-") && arg.length() > 1) {
                        throw new UsageException("unknown option '" + arg + "'");
                    }
                    positional.add(arg);
                }
            }
        }
        if (parsed.help || parsed.version) {
            return parsed;
        }
        if (!sawMount) {
            throw new UsageException("this entry point only mounts: 'kmodpack mount BUNDLE [MOUNTPOINT]'");
        }
        if (parsed.noFirmware && parsed.firmwareAt != null) {
            throw new UsageException("--firmware-at and --no-firmware exclude each other");
        }
        if (positional.isEmpty()) {
            throw new UsageException("missing 'BUNDLE'");
        }
        if (positional.size() > 2) {
            throw new UsageException("unexpected argument '" + positional.get(2) + "'");
        }
        parsed.bundle = positional.get(0);
        parsed.mountPoint = positional.size() > 1 ? Path.of(positional.get(1)) : null;
        return parsed;
    }

    private void option(String name, String value) throws UsageException {
        switch (name) {
            case "--trust" -> trust.signatures.trust.add(LocalPaths.of(value));
            case "--threshold" -> {
                trust.signatures.threshold = number(name, value);
                if (trust.signatures.threshold < 1) {
                    throw new UsageException("--threshold must be at least 1, not " + value);
                }
            }
            case "--min-serial" -> {
                try {
                    trust.signatures.minSerial = Long.parseLong(value);
                } catch (NumberFormatException e) {
                    throw new UsageException(name + ": '" + value + "' is not a whole number");
                }
            }
            case "-o" -> fuseOptions.addAll(List.of(value.split(",")));
            case "--cache-size" -> cacheSize = value;
            case "--timeout" -> {
                timeoutSeconds = number(name, value);
                if (timeoutSeconds <= 0) {
                    throw new UsageException("--timeout must be a positive number of seconds, not " + value);
                }
                trust.signatures.source.timeoutSeconds = timeoutSeconds;
            }
            case "--ca" -> trust.signatures.source.ca = LocalPaths.of(value);
            case "--cache-dir" -> trust.signatures.source.cacheDirectory = LocalPaths.of(value);
            case "--cache-limit" -> trust.signatures.source.cacheLimit = value;
            case "--username" -> trust.signatures.source.username = value;
            case "--prefetch" -> prefetch = Prefetch.Mode.of(value);
            case "--log" -> log = LocalPaths.of(value);
            case "--layer" -> layers.layers.add(value);
            case "--layer-dir" -> layerDirectory = LocalPaths.of(value);
            case "--layer-trust" -> layers.layerTrust.add(LocalPaths.of(value));
            case "--firmware-at" -> firmwareAt = LocalPaths.of(value);
            default -> throw new IllegalStateException(name);
        }
    }

    /** The layers to merge: the --layer ones, then --layer-dir's *.kpack files in name order. */
    LayerOptions layers() throws java.io.IOException {
        if (layerDirectory != null && java.nio.file.Files.isDirectory(layerDirectory)) {
            List<String> found = new ArrayList<>();
            try (java.nio.file.DirectoryStream<Path> files = java.nio.file.Files.newDirectoryStream(layerDirectory,
                    "*.kpack")) {
                files.forEach(file -> found.add(file.toString()));
            }
            found.sort(null);
            layers.layers.addAll(found);
            layerDirectory = null;
        }
        return layers;
    }

    private static int number(String name, String value) throws UsageException {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new UsageException(name + ": '" + value + "' is not a whole number");
        }
    }
}
