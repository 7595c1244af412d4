package org.kmodpack.loader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kmodpack.modules.Errno;
import org.kmodpack.modules.Modprobe;
import org.kmodpack.modules.ModuleFile;
import org.kmodpack.modules.ModuleIndex;
import org.kmodpack.modules.ProbeStep;
import org.kmodpack.packer.PackOptions;
import org.kmodpack.packer.PackProgress;
import org.kmodpack.packer.Packer;
import org.kmodpack.reader.Bundle;
import org.kmodpack.testkernels.SyntheticKernel;
import org.kmodpack.testkernels.SyntheticKernels;
import org.kmodpack.testkernels.Kmod;

/**
 * Loading into a kernel that records what it is given: every module of the synthetic tree loads exactly the
 * modules, in the order and with the bytes, that the real kmod's {@code modprobe -D} names on the unpacked tree;
 * what the kernel already holds is skipped, a refusal stops the plan, and {@code modprobe -r} removes what kmod
 * removes.
 */
class LoaderTest {
    @TempDir
    static Path work;

    private static Path moduleDir;
    private static Bundle bundle;
    private static ModuleIndex index;
    private static Modprobe modprobe;
    private static Path emptyConfig;

    @BeforeAll
    static void pack() throws IOException {
        moduleDir = SyntheticKernels.moduleDir(SyntheticKernel.BASIC);
        Path file = work.resolve("basic.kpack");
        Packer.pack(moduleDir, file, PackOptions.defaults(), PackProgress.NONE);
        bundle = Bundle.open(file);
        index = ModuleIndex.of(bundle);
        emptyConfig = Files.createDirectories(work.resolve("modprobe.d"));
        String dir = moduleDir.toString();
        modprobe = index.modprobe(index.loadConfig(List.of(emptyConfig), dir, null, message -> { }), dir,
                message -> { });
    }

    @AfterAll
    static void close() throws IOException {
        bundle.close();
    }

    @Test
    void everyModuleLoadsWhatKmodShowDependsNames() throws IOException {
        for (String module : index.moduleNames()) {
            RecordingKernel kernel = kernel();
            Events events = new Events();
            assertEquals(0, loader(kernel, events).modprobe(module, null), module + ": " + events.reported);
            // -D lists a softdep that is also a dependency twice; the second insertion finds it loaded (EEXIST).
            Set<String> expected = new LinkedHashSet<>();
            for (String line : kmodShowDepends(module)) {
                if (line.startsWith("insmod ")) {
                    expected.add(line.strip());
                }
            }
            List<String> loaded = new ArrayList<>();
            for (RecordingKernel.Load load : kernel.loads) {
                String path = index.module(load.module()).orElseThrow().path();
                loaded.add(("insmod " + moduleDir + "/" + path + " " + load.params()).strip());
                byte[] file = Files.readAllBytes(moduleDir.resolve(path));
                assertArrayEquals(ModuleFile.decompress(path, file), load.image(), path);
                assertEquals(0, load.flags(), path);
            }
            assertEquals(List.copyOf(expected), loaded, module);
            assertEquals(List.of(), events.reported, module);
        }
    }

    @Test
    void whatTheKernelHoldsIsNotLoadedAgain() {
        RecordingKernel kernel = kernel().withLive("chain_c").withLive("chain_d");
        assertEquals(0, loader(kernel, new Events()).modprobe("chain_a", null));
        assertEquals(List.of("chain_b", "chain_a"), kernel.loaded());
        RecordingKernel all = kernel().withLive("chain_a");
        assertEquals(0, loader(all, new Events()).modprobe("chain_a", null));
        assertEquals(List.of(), all.loaded());
    }

    @Test
    void firstTimeFailsOnWhatIsLoadedOrGoneAndForcePassesTheKernelItsFlags() {
        Events events = new Events();
        RecordingKernel loaded = kernel().withLive("chain_a");
        Loader firstTime = new Loader(index, modprobe, loaded, new Loader.Options(false, false, true, 0),
                events.events);
        assertEquals(-Errno.EEXIST, firstTime.modprobe("chain_a", null));
        assertEquals(List.of("insertFailed chain_a " + Errno.EEXIST), events.reported);
        Events removal = new Events();
        assertEquals(-Errno.ENOENT, new Loader(index, modprobe, kernel(), new Loader.Options(false, false, true, 0),
                removal.events).remove(List.of("chain_a")));
        assertEquals(List.of("notInKernel chain_a"), removal.reported);

        RecordingKernel forced = kernel();
        int flags = Kernel.MODULE_INIT_IGNORE_VERMAGIC | Kernel.MODULE_INIT_IGNORE_MODVERSIONS;
        assertEquals(0, new Loader(index, modprobe, forced, new Loader.Options(false, false, false, flags),
                new Events().events).modprobe("chain_b", null));
        assertEquals(List.of("chain_d", "chain_c", "chain_b"), forced.loaded());
        for (RecordingKernel.Load load : forced.loads) {
            assertEquals(flags, load.flags(), load.module());
        }
    }

    @Test
    void aRefusedDependencyStopsThePlanAndIsReported() {
        RecordingKernel kernel = kernel().refusing("chain_c", Errno.ENOEXEC);
        Events events = new Events();
        assertEquals(-Errno.ENOEXEC, loader(kernel, events).modprobe("chain_a", null));
        assertEquals(List.of("chain_d"), kernel.loaded());
        assertEquals(List.of("insertFailed chain_a " + Errno.ENOEXEC), events.reported);
    }

    @Test
    void aDryRunReportsEveryStepAndLoadsNothing() {
        RecordingKernel kernel = kernel();
        Events events = new Events();
        Loader dryRun = new Loader(index, modprobe, kernel, new Loader.Options(true, false), events.events);
        assertEquals(0, dryRun.modprobe("chain_b", null));
        assertEquals(List.of(), kernel.loaded());
        assertEquals(List.of("chain_d", "chain_c", "chain_b"), events.steps);
    }

    @Test
    void removingTakesTheModuleThenTheDependenciesNobodyUses() {
        RecordingKernel kernel = kernel();
        Loader loader = loader(kernel, new Events());
        assertEquals(0, loader.modprobe("chain_a", null));
        assertEquals(0, loader.modprobe("vendor_drv", null));
        Events events = new Events();
        assertEquals(-Errno.EBUSY, loader(kernel, events).remove(List.of("chain_a")));
        assertEquals(List.of("inUse chain_a"), events.reported);
        // kmod removes the module, then goes through its modules.dep line backwards, removing each dependency
        // nobody uses any more (once: chain_b, which chain_a used, stays); a name no longer loaded is no error.
        assertEquals(0, loader.remove(List.of("vendor_drv", "chain_a")));
        assertEquals(List.of("vendor_drv", "chain_a", "dup_mod"), kernel.removals);
        assertEquals(0, loader.remove(List.of("chain_b")));
        assertEquals(List.of("vendor_drv", "chain_a", "dup_mod", "chain_b", "chain_c"), kernel.removals);
    }

    @Test
    void removeHoldersTakesTheModulesUsingTheNamedOneFirst() {
        RecordingKernel kernel = kernel();
        assertEquals(0, loader(kernel, new Events()).modprobe("chain_a", null));
        Events events = new Events();
        Loader holders = new Loader(index, modprobe, kernel, new Loader.Options(false, false, false, 0, false, true,
                0), events.events);
        // chain_a holds chain_b and goes first, taking with it the dependencies nobody uses any more: chain_b
        // itself. kmod 30 then removes chain_b again and fails as the kernel answers (ENOENT).
        assertEquals(-Errno.ENOENT, holders.remove(List.of("chain_b")));
        assertEquals(List.of("chain_a", "chain_b"), kernel.removals);
        assertEquals(List.of("removeFailed chain_b " + Errno.ENOENT), events.reported);
    }

    @Test
    void waitTriesAModuleInUseAgainUntilItIsFreeOrTheTimeIsUp() {
        RecordingKernel kernel = kernel().busyFor("chain_d", 3);
        assertEquals(0, loader(kernel, new Events()).modprobe("chain_d", null));
        Events events = new Events();
        assertEquals(0, waiting(kernel, events, 5_000).remove(List.of("chain_d")), events.reported.toString());
        assertEquals(List.of("chain_d"), kernel.removals);

        RecordingKernel busy = kernel().busyFor("chain_d", Integer.MAX_VALUE);
        assertEquals(0, loader(busy, new Events()).modprobe("chain_d", null));
        Events refused = new Events();
        long start = System.nanoTime();
        assertEquals(-Errno.EAGAIN, waiting(busy, refused, 50).remove(List.of("chain_d")));
        assertTrue(System.nanoTime() - start >= 50_000_000L, "waited the 50 ms given");
        assertEquals(List.of("removeFailed chain_d " + Errno.EAGAIN), refused.reported);
    }

    private static Loader waiting(RecordingKernel kernel, Events events, long millis) {
        return new Loader(index, modprobe, kernel, new Loader.Options(false, false, false, 0, false, false, millis),
                events.events);
    }

    @Test
    void insmodLoadsOneFileWithoutItsDependencies() {
        RecordingKernel kernel = kernel();
        Events events = new Events();
        assertEquals(0, loader(kernel, events).insmod("kernel/lib/chain/chain_b.ko.xz", "x=1"));
        assertEquals(List.of("chain_b"), kernel.loaded());
        assertEquals("x=1", kernel.loads.get(0).params());
        assertEquals(-Errno.ENOENT, loader(kernel, events).insmod("kernel/no/such.ko", null));
        assertEquals(List.of("insmodNoFile kernel/no/such.ko"), events.reported);
    }

    private static RecordingKernel kernel() {
        Map<String, List<String>> dependencies = new HashMap<>();
        for (String module : index.moduleNames()) {
            dependencies.put(module, index.module(module).orElseThrow().dependencies());
        }
        return new RecordingKernel(dependencies);
    }

    private static Loader loader(RecordingKernel kernel, Events events) {
        return new Loader(index, modprobe, kernel, new Loader.Options(false, false), events.events);
    }

    private static List<String> kmodShowDepends(String module) throws IOException {
        Path root = moduleDir.getParent().getParent().getParent();
        Kmod.Result result = Kmod.run(List.of("modprobe", "-C", emptyConfig.toString(), "-d", root.toString(), "-S",
                moduleDir.getFileName().toString(), "-D", module));
        assertEquals(0, result.exit(), module + ": " + result.err());
        assertTrue(result.out().contains("insmod "), result.out());
        return result.out().lines().toList();
    }

    /**
     * The events as "method arguments" lines (causes left out), and the probe steps by module; the -v
     * announcements (inserting, removing, runningRemoveCommand) are not recorded.
     */
    private static final class Events {
        final List<String> reported = new ArrayList<>();
        final List<String> steps = new ArrayList<>();
        final LoadEvents events = (LoadEvents) Proxy.newProxyInstance(LoadEvents.class.getClassLoader(),
                new Class<?>[] {LoadEvents.class}, (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "step" -> steps.add(((ProbeStep) args[0]).module());
                        case "inserting", "removing", "runningRemoveCommand" -> { }
                        default -> reported.add(method.getName() + " " + Arrays.stream(args)
                                .filter(a -> !(a instanceof Throwable)).map(String::valueOf)
                                .collect(Collectors.joining(" ")));
                    }
                    return null;
                });
    }
}
