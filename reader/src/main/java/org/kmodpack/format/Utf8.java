package org.kmodpack.format;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Strict UTF-8: names in a bundle are text, and a malformed byte sequence is an error, never a '?'. */
final class Utf8 {
    private Utf8() {
    }

    static boolean isValid(byte[] bytes) {
        try {
            decodeStrict(bytes);
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
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
