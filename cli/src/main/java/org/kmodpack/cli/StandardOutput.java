package org.kmodpack.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;

/**
 * Standard output that remembers why a write failed. PrintStream swallows write errors; a command whose output
 * went nowhere (a full disk, a closed pipe) must fail as coreutils do ("write error: No space left on device"),
 * not exit 0.
 */
final class StandardOutput extends PrintStream {
    private final Recorder recorder;

    private StandardOutput(Recorder recorder) {
        super(recorder, false);
        this.recorder = recorder;
    }

    /** The process's standard output, buffered; flushed by the commands and at exit. */
    static StandardOutput open() {
        return new StandardOutput(new Recorder(new java.io.BufferedOutputStream(
                new FileOutputStream(FileDescriptor.out), 1 << 16)));
    }

    /** Why the first failed write failed, if one did (after flushing what is buffered). */
    static java.util.Optional<IOException> failure(PrintStream stream) {
        boolean failed = stream.checkError();
        if (stream instanceof StandardOutput ours && ours.recorder.failure != null) {
            return java.util.Optional.of(ours.recorder.failure);
        }
        return failed ? java.util.Optional.of(new IOException("the output was closed")) : java.util.Optional.empty();
    }

    /** A write error's words: strerror's, as coreutils print them. */
    static String reason(IOException failure) {
        String message = failure.getMessage();
        return message != null ? message : failure.getClass().getSimpleName();
    }

    /** Whether the reader went away: as coreutils killed by SIGPIPE, say nothing. */
    static boolean brokenPipe(IOException failure) {
        return "Broken pipe".equals(failure.getMessage());
    }

    private static final class Recorder extends FilterOutputStream {
        private IOException failure;

        Recorder(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            record(() -> out.write(b));
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            record(() -> out.write(bytes, offset, length));
        }

        @Override
        public void flush() throws IOException {
            record(out::flush);
        }

        private interface Write {
            void run() throws IOException;
        }

        private void record(Write write) throws IOException {
            try {
                write.run();
            } catch (IOException e) {
                if (failure == null) {
                    failure = e;
                }
                throw e;
            }
        }
    }
}
