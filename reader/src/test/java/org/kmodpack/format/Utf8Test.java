package org.kmodpack.format;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A name is valid UTF-8 exactly when the JDK's decoder, reporting malformed input, decodes it. */
class Utf8Test {
    private static boolean decodes(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private static void agrees(byte[] bytes) {
        assertEquals(decodes(bytes), Utf8.isValid(bytes), () -> HexFormat.of().formatHex(bytes));
    }

    @Test
    void agreesWithTheJdkOnEverySequenceOfOneOrTwoBytes() {
        for (int value = 0; value < 1 << 16; value++) {
            agrees(new byte[] {(byte) value});
            agrees(new byte[] {(byte) value, (byte) (value >>> 8)});
        }
    }

    /** Every lead and second byte of a three-byte form, with third bytes at the edges of the ranges that count. */
    @Test
    void agreesWithTheJdkOnThreeByteForms() {
        int[] thirds = {0x00, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xFF};
        for (int lead = 0xC0; lead <= 0xFF; lead++) {
            for (int second = 0; second <= 0xFF; second++) {
                for (int third : thirds) {
                    agrees(new byte[] {(byte) lead, (byte) second, (byte) third});
                }
            }
        }
    }

    @Test
    void agreesWithTheJdkOnLongerSequencesAroundFourByteLeads() {
        Random random = new Random(20261202);
        for (int i = 0; i < 100_000; i++) {
            byte[] bytes = new byte[4 + random.nextInt(5)];
            for (int k = 0; k < bytes.length; k++) {
                bytes[k] = (byte) (random.nextBoolean() ? 0x80 + random.nextInt(0x80) : random.nextInt(0x100));
            }
            if (random.nextInt(3) == 0) {
                bytes[0] = (byte) (0xF0 + random.nextInt(5));
            }
            agrees(bytes);
        }
    }
}
