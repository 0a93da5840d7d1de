package org.pthconvert.spark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.pthconvert.writers.service.ConversionRequest;
import org.pthconvert.writers.service.ConversionService;

/**
 * For the figures: what {@code batch --jobs N} does on one machine (N threads sharing one
 * {@link ConversionService}), without Spark. {@code BatchBench JOBS OUT_DIR FORMAT INPUT...}.
 */
public final class BatchBench {
    private BatchBench() {
    }

    public static void main(String[] args) throws Exception {
        int jobs = Integer.parseInt(args[0]);
        Path out = Files.createDirectories(Path.of(args[1]));
        String format = args[2];
        ConversionService service = ConversionService.standard();
        ExecutorService pool = Executors.newFixedThreadPool(jobs);
        long start = System.nanoTime();
        List<Future<Long>> done = new ArrayList<>();
        for (int i = 3; i < args.length; i++) {
            Path in = Path.of(args[i]);
            String stem = in.getFileName().toString().replaceAll("\\.[^.]+$", "");
            Path o = out.resolve(stem + "." + format);
            done.add(pool.submit(() -> service.convert(ConversionRequest.of(in, o).withFormat(format)).bytes()));
        }
        long bytes = 0;
        for (Future<Long> f : done) {
            bytes += f.get();
        }
        pool.shutdown();
        double s = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "batch-like --jobs %d: %d inputs, %.1f MB in %.1f s (%.1f MB/s)%n", jobs,
                args.length - 3, bytes / 1e6, s, bytes / 1e6 / s);
    }
}
