package org.kmodpack.format;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Strict UTF-8: names in a bundle are text, and a malformed byte sequence is an error, never a '?'. */
final class Utf8 {
    private Utf8() {
    }

    /**
     * Whether {@code bytes} are well-formed UTF-8 as RFC 3629 defines it (what the JDK's decoder accepts with
     * REPORT): no overlong forms, no surrogates, nothing above U+10FFFF. Checked in place: a bundle's names are
     * all checked when it is opened, most of them ASCII.
     */
    static boolean isValid(byte[] bytes) {
        int i = 0;
        while (i < bytes.length) {
            int lead = bytes[i] & 0xFF;
            if (lead < 0x80) {
                i++;
                continue;
            }
            int length;
            int min;
            int max;
            if (lead >= 0xC2 && lead <= 0xDF) {
                length = 2;
                min = 0x80;
                max = 0xBF;
            } else if (lead >= 0xE0 && lead <= 0xEF) {
                length = 3;
                // E0 needs A0..BF (no overlongs), ED needs 80..9F (no surrogates).
                min = lead == 0xE0 ? 0xA0 : 0x80;
                max = lead == 0xED ? 0x9F : 0xBF;
            } else if (lead >= 0xF0 && lead <= 0xF4) {
                length = 4;
                // F0 needs 90..BF (no overlongs), F4 needs 80..8F (nothing above U+10FFFF).
                min = lead == 0xF0 ? 0x90 : 0x80;
                max = lead == 0xF4 ? 0x8F : 0xBF;
            } else {
                return false;
            }
            if (i + length > bytes.length) {
                return false;
            }
            int second = bytes[i + 1] & 0xFF;
            if (second < min || second > max) {
                return false;
            }
            for (int k = 2; k < length; k++) {
                int next = bytes[i + k] & 0xFF;
                if (next < 0x80 || next > 0xBF) {
                    return false;
                }
            }
            i += length;
        }
        return true;
    }

    static String decode(byte[] bytes, String bundle, String what) throws CorruptBundleException {
        try {
            return decodeStrict(bytes);
        } catch (CharacterCodingException e) {
            throw new CorruptBundleException(bundle, what + " is not valid UTF-8");
        }
    }

    private static String decodeStrict(byte[] bytes) throws CharacterCodingException {
        return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes))
                .toString();
    }
}
