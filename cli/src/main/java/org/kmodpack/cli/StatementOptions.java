package org.kmodpack.cli;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.OptionalLong;
import org.kmodpack.packer.StatementTerms;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** --serial and --expires: the terms of a new signed statement. */
final class StatementOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--serial", paramLabel = "N",
            description = "Bundle serial number, for --min-serial rollback checks (default: SOURCE_DATE_EPOCH, "
                    + "else the time of signing in seconds).")
    Long serial;

    @Option(names = "--expires", paramLabel = "DATE",
            description = "Expiry of the signature statement: YYYY-MM-DD (midnight UTC) or an ISO instant "
                    + "(2027-01-31T12:00:00Z). Default: never.")
    String expires;

    /** The terms these options give; a usage error for a negative serial or a date that is none. */
    StatementTerms terms() {
        if (serial != null && serial < 0) {
            throw new ParameterException(mixee.commandLine(), "--serial must not be negative, not " + serial);
        }
        return new StatementTerms(serial == null ? OptionalLong.empty() : OptionalLong.of(serial),
                expires == null ? OptionalLong.empty() : OptionalLong.of(parseDate(expires).getEpochSecond()));
    }

    private Instant parseDate(String text) {
        try {
            return text.contains("T") ? Instant.parse(text) : LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
        } catch (DateTimeException e) {
            throw new ParameterException(mixee.commandLine(),
                    "--expires takes YYYY-MM-DD or 2027-01-31T12:00:00Z, not '" + text + "'");
        }
    }
}
