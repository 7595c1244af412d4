package org.kmodpack.initramfs;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Writes depmod's binary index (modules.*.bin, version 2.1): a trie whose chains of single-child, value-less
 * nodes are folded into prefixes, children written before their parent, values of a key in ascending priority
 * (equal priorities in insertion order), as depmod's index.c writes them, so libkmod reads it as depmod's own.
 */
final class DepmodTrie {
    private static final int MAGIC = 0xB007F457;
    private static final int VERSION = 0x00020001;
    private static final int PREFIX = 0x80000000;
    private static final int VALUES = 0x40000000;
    private static final int CHILDREN = 0x20000000;

    private record Value(int priority, String text) {
    }

    private static final class Node {
        final TreeMap<Integer, Node> children = new TreeMap<>();
        final List<Value> values = new ArrayList<>();
    }

    private final Node root = new Node();

    /** Adds a value under a key; the same value twice under one key is kept once (depmod's duplicate). */
    void insert(String key, String value, int priority) {
        Node node = root;
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 128) {
                throw new IllegalArgumentException("depmod index keys are ASCII; not: " + key);
            }
            node = node.children.computeIfAbsent(c, k -> new Node());
        }
        for (Value v : node.values) {
            if (v.text.equals(value)) {
                return;
            }
        }
        int at = 0;
        while (at < node.values.size() && node.values.get(at).priority <= priority) {
            at++;
        }
        node.values.add(at, new Value(priority, value));
    }

    byte[] toBytes() {
        Out out = new Out();
        out.u32(MAGIC);
        out.u32(VERSION);
        out.u32(0);
        int rootPointer = write(root, out);
        byte[] bytes = out.toByteArray();
        ByteBuffer.wrap(bytes).putInt(8, rootPointer);
        return bytes;
    }

    private static int write(Node start, Out out) {
        StringBuilder prefix = new StringBuilder();
        Node node = start;
        while (node.values.isEmpty() && node.children.size() == 1) {
            var only = node.children.firstEntry();
            prefix.append((char) (int) only.getKey());
            node = only.getValue();
        }
        int first = node.children.isEmpty() ? 0 : node.children.firstKey();
        int last = node.children.isEmpty() ? -1 : node.children.lastKey();
        int[] childPointers = new int[last - first + 1];
        for (var child : node.children.entrySet()) {
            childPointers[child.getKey() - first] = write(child.getValue(), out);
        }
        int pointer = out.size();
        if (prefix.length() > 0) {
            out.writeBytes(prefix.toString().getBytes(StandardCharsets.US_ASCII));
            out.write(0);
            pointer |= PREFIX;
        }
        if (childPointers.length > 0) {
            out.write(first);
            out.write(last);
            for (int p : childPointers) {
                out.u32(p);
            }
            pointer |= CHILDREN;
        }
        if (!node.values.isEmpty()) {
            out.u32(node.values.size());
            for (Value v : node.values) {
                out.u32(v.priority);
                out.writeBytes(v.text.getBytes(StandardCharsets.UTF_8));
                out.write(0);
            }
            pointer |= VALUES;
        }
        return pointer;
    }

    private static final class Out extends ByteArrayOutputStream {
        void u32(int v) {
            write(v >>> 24);
            write(v >>> 16);
            write(v >>> 8);
            write(v);
        }
    }
}
