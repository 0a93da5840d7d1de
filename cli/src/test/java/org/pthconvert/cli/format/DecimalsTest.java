package org.pthconvert.cli.format;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Locale;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/** Decimals writes what String.format(Locale.ROOT, ...) writes, which it replaces. */
class DecimalsTest {

    @Test
    void fixedMatchesFormatterOnTiesAndOrdinaryValues() {
        double[] values = {0, 0.05, 0.15, 0.25, 0.35, 0.45, 1.005, 2.675, 9.95, 99.95, 99.949999, 100, 1023.999,
            1e-7, 0.0004999, 123456.789, 1e15, 4.35, 12.345, 0.125, 0.375, Double.MIN_VALUE, 1e300, -1.25, -0.05, -0.0, -0.004};
        for (double v : values) {
            for (int places = 0; places <= 3; places++) {
                assertEquals(String.format(Locale.ROOT, "%." + places + "f", v), Decimals.fixed(v, places), v + " " + places);
            }
        }
        SplittableRandom r = new SplittableRandom(17);
        for (int i = 0; i < 20_000; i++) {
            double v = r.nextDouble() * Math.pow(10, r.nextInt(-3, 7));
            int places = r.nextInt(0, 4);
            assertEquals(String.format(Locale.ROOT, "%." + places + "f", v), Decimals.fixed(v, places), v + " " + places);
        }
    }

    @Test
    void groupedMatchesFormatter() {
        long[] values = {0, 7, 999, 1000, 12345, 999999, 1000000, -1, -999, -1000, -1234567, Long.MAX_VALUE, Long.MIN_VALUE};
        for (long n : values) {
            assertEquals(String.format(Locale.ROOT, "%,d", n), Decimals.grouped(n), Long.toString(n));
        }
    }
}
