package org.kmodpack.reader;

import java.io.IOException;

/**
 * A source that adds one thing to another (a name, a cache, a count) and hands every other call to it. Block reads
 * and digests stay the interface's, going through {@link #read}, so a subclass that changes {@code read} changes
 * them too.
 */
public abstract class ForwardingByteSource implements ByteSource {
    protected final ByteSource delegate;

    protected ForwardingByteSource(ByteSource delegate) {
        this.delegate = delegate;
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public long length() throws IOException {
        return delegate.length();
    }

    @Override
    public byte[] read(long position, int length) throws IOException {
        return delegate.read(position, length);
    }

    @Override
    public void prefetch(long position, long length) throws IOException {
        delegate.prefetch(position, length);
    }

    @Override
    public boolean isRemote() {
        return delegate.isRemote();
    }

    @Override
    public void close() throws IOException {
        delegate.close();
    }
}
