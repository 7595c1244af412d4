package org.kmodpack.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The LAYER section (spec/FORMAT.md section 15): marks a bundle as a layer of extra modules for its kernel version,
 * to be merged over a base, and carries what the union's depmod needs beside the layer's files: the layer's lines
 * of the union's modules.order and its depmod.d configuration files.
 */
public record LayerSection(byte[] order, List<ConfigFile> config) {
    /** "KLYR" read as a little-endian u32. */
    private static final int MAGIC = 0x52594C4B;
    public static final int VERSION = 1;
    private static final int ORDER_LENGTH_AT = SectionHeader.SIZE;
    private static final int CONFIG_COUNT_AT = ORDER_LENGTH_AT + Integer.BYTES;
    /** Then the order bytes, then each configuration file. */
    static final int FIXED_SIZE = CONFIG_COUNT_AT + Integer.BYTES;
    /** Per configuration file: u32 name length, u32 text length, then the name and the text. */
    private static final int CONFIG_HEADER_SIZE = 8;
    static final int MAX_CONFIG_FILES = 64;

    /** A depmod.d file of the layer: its name (a valid name ending in .conf) and its text. */
    public record ConfigFile(String name, String text) {
    }

    public LayerSection {
        order = order.clone();
        config = List.copyOf(config);
    }

    @Override
    public byte[] order() {
        return order.clone();
    }

    public byte[] encode() {
        List<byte[]> names = new ArrayList<>();
        List<byte[]> texts = new ArrayList<>();
        int length = FIXED_SIZE + order.length;
        for (ConfigFile file : config) {
            names.add(file.name().getBytes(StandardCharsets.UTF_8));
            texts.add(file.text().getBytes(StandardCharsets.UTF_8));
            length += CONFIG_HEADER_SIZE + names.get(names.size() - 1).length + texts.get(texts.size() - 1).length;
        }
        ByteBuffer out = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(MAGIC).putInt(VERSION).putInt(order.length).putInt(config.size()).put(order);
        for (int i = 0; i < names.size(); i++) {
            out.putInt(names.get(i).length).putInt(texts.get(i).length).put(names.get(i)).put(texts.get(i));
        }
        return out.array();
    }

    static LayerSection decode(ByteBuffer section, String bundle) throws CorruptBundleException {
        ByteBuffer in = SectionHeader.open(section, "LAYER", MAGIC, VERSION, FIXED_SIZE, bundle);
        int length = in.remaining();
        long orderLength = Integer.toUnsignedLong(in.getInt(ORDER_LENGTH_AT));
        long count = Integer.toUnsignedLong(in.getInt(CONFIG_COUNT_AT));
        if (orderLength > length - FIXED_SIZE || count > MAX_CONFIG_FILES) {
            throw new CorruptBundleException(bundle, "LAYER section's order of " + orderLength + " bytes and "
                    + count + " configuration files do not fit its " + length + " bytes");
        }
        byte[] order = new byte[(int) orderLength];
        in.get(FIXED_SIZE, order);
        Utf8.decode(order, bundle, "layer's modules.order");
        long at = FIXED_SIZE + orderLength;
        List<ConfigFile> config = new ArrayList<>();
        byte[] previous = null;
        for (int i = 0; i < count; i++) {
            if (at > length - CONFIG_HEADER_SIZE) {
                throw new CorruptBundleException(bundle, "LAYER section ends inside configuration file " + i);
            }
            long nameLength = Integer.toUnsignedLong(in.getInt((int) at));
            long textLength = Integer.toUnsignedLong(in.getInt((int) at + 4));
            at += CONFIG_HEADER_SIZE;
            if (nameLength > length - at || textLength > length - at - nameLength) {
                throw new CorruptBundleException(bundle, "LAYER section's configuration file " + i
                        + " runs past the section's end");
            }
            byte[] name = new byte[(int) nameLength];
            in.get((int) at, name);
            byte[] text = new byte[(int) textLength];
            in.get((int) (at + nameLength), text);
            at += nameLength + textLength;
            String decodedName = Utf8.decode(name, bundle, "layer's configuration file name");
            if (!isConfigName(decodedName) || previous != null && Names.compare(previous, name) >= 0) {
                throw new CorruptBundleException(bundle, "LAYER section's configuration file '" + decodedName
                        + "' is not a valid name ending in .conf, or is out of order");
            }
            previous = name;
            config.add(new ConfigFile(decodedName, Utf8.decode(text, bundle, "layer's configuration file "
                    + decodedName)));
        }
        if (at != length) {
            throw new CorruptBundleException(bundle, (length - at) + " bytes at the end of the LAYER section "
                    + "belong to nothing");
        }
        return new LayerSection(order, config);
    }

    /** The names depmod reads from a configuration folder. */
    public static boolean isConfigName(String name) {
        return name.endsWith(".conf") && Names.problemWith(name) == null;
    }
}
