package org.pthconvert.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.pthconvert.testdata.Fixtures;

/** A test-side reader of small safetensors files: names, dtypes, shapes and SHA-256 of each tensor's bytes. */
record SafetensorsFile(Map<String, Entry> entries, String header) {

    record Entry(String dtype, String shape, String sha256) {
    }

    private static final Pattern ENTRY = Pattern.compile(
            "\"((?:[^\"\\\\]|\\\\.)*)\":\\{\"dtype\":\"(\\w+)\",\"shape\":\\[([0-9,]*)\\],\"data_offsets\":\\[(\\d+),(\\d+)\\]\\}");

    static SafetensorsFile read(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        long n = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        String header = new String(all, 8, (int) n, StandardCharsets.UTF_8);
        Map<String, Entry> out = new LinkedHashMap<>();
        Matcher m = ENTRY.matcher(header);
        while (m.find()) {
            int begin = Integer.parseInt(m.group(4));
            int end = Integer.parseInt(m.group(5));
            try {
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                md.update(all, (int) (8 + n + begin), end - begin);
                out.put(unescape(m.group(1)), new Entry(m.group(2), m.group(3), Fixtures.hex(md.digest())));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new AssertionError(e);
            }
        }
        return new SafetensorsFile(out, header);
    }

    List<String> names() {
        return new ArrayList<>(entries.keySet());
    }

    private static String unescape(String s) {
        return s.replace("\\\"", "\"").replace("\\\\", "\\");
    }
}
