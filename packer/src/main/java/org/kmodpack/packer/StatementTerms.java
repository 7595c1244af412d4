package org.kmodpack.packer;

import java.time.Instant;
import java.util.OptionalLong;

/**
 * The terms a new statement carries: its serial (for rollback checks) and optional expiry. Empty fields
 * mean the defaults: serial SOURCE_DATE_EPOCH, else the current time in seconds; no expiry.
 */
public record StatementTerms(OptionalLong serial, OptionalLong expiresEpochSecond) {
    public static StatementTerms defaults() {
        return new StatementTerms(OptionalLong.empty(), OptionalLong.empty());
    }

    long resolvedSerial() {
        if (serial.isPresent()) {
            return serial.getAsLong();
        }
        String epoch = System.getenv("SOURCE_DATE_EPOCH");
        if (epoch != null && !epoch.isBlank()) {
            try {
                return Long.parseLong(epoch.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("SOURCE_DATE_EPOCH is '" + epoch + "', not a number of seconds");
            }
        }
        return Instant.now().getEpochSecond();
    }

    long resolvedExpiry() {
        return expiresEpochSecond.orElse(0);
    }
}
