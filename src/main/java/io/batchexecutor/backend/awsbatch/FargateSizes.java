package io.batchexecutor.backend.awsbatch;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The sizes a job on Fargate may have: AWS Batch accepts these vCPU values, each with its own
 * memory values in MiB, and no other pair (and no GPU).
 *
 * <pre>
 * 0.25 vCPU: 512, 1024, 2048
 * 0.5  vCPU: 1024 to 4096 in steps of 1024
 * 1    vCPU: 2048 to 8192 in steps of 1024
 * 2    vCPU: 4096 to 16384 in steps of 1024
 * 4    vCPU: 8192 to 30720 in steps of 1024
 * 8    vCPU: 16384 to 61440 in steps of 4096
 * 16   vCPU: 32768 to 122880 in steps of 8192
 * </pre>
 */
final class FargateSizes {

  /** One valid size: vCPUs and memory in MiB. */
  record Size(double vcpu, long memoryMib) {

    @Override
    public String toString() {
      return vcpuText(vcpu) + " vCPU with " + memoryMib + " MiB";
    }
  }

  static final List<Double> VCPUS = List.of(0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0);

  private static final List<Size> ALL = table();

  private FargateSizes() {}

  private static List<Size> table() {
    List<Size> sizes = new ArrayList<>();
    for (long m : new long[] {512, 1024, 2048}) {
      sizes.add(new Size(0.25, m));
    }
    range(sizes, 0.5, 1024, 4096, 1024);
    range(sizes, 1, 2048, 8192, 1024);
    range(sizes, 2, 4096, 16384, 1024);
    range(sizes, 4, 8192, 30720, 1024);
    range(sizes, 8, 16384, 61440, 4096);
    range(sizes, 16, 32768, 122880, 8192);
    return List.copyOf(sizes);
  }

  private static void range(List<Size> sizes, double vcpu, long from, long to, long step) {
    for (long m = from; m <= to; m += step) {
      sizes.add(new Size(vcpu, m));
    }
  }

  static boolean validVcpu(double vcpu) {
    return VCPUS.contains(vcpu);
  }

  static boolean valid(double vcpu, long memoryMib) {
    return ALL.contains(new Size(vcpu, memoryMib));
  }

  /** The memory values Fargate allows with {@code vcpu}, as the table above writes them. */
  static String memoriesFor(double vcpu) {
    List<Long> m = ALL.stream().filter(s -> s.vcpu() == vcpu).map(Size::memoryMib).toList();
    if (m.isEmpty()) {
      return "none";
    }
    if (vcpu == 0.25) {
      return "512, 1024 or 2048 MiB";
    }
    return m.get(0) + " to " + m.get(m.size() - 1) + " MiB in steps of " + (m.get(1) - m.get(0));
  }

  /**
   * The smallest valid size with at least {@code vcpu} and {@code memoryMib}, preferring {@code
   * vcpu} itself when it is a Fargate value; empty when none is that large.
   */
  static Optional<Size> roundUp(double vcpu, long memoryMib) {
    return ALL.stream()
        .filter(s -> s.vcpu() >= vcpu && s.memoryMib() >= memoryMib)
        .min(Comparator.comparingDouble(Size::vcpu).thenComparingLong(Size::memoryMib));
  }

  /** The valid size nearest to {@code vcpu} and {@code memoryMib} (vCPU first, then memory). */
  static Size nearest(double vcpu, long memoryMib) {
    return ALL.stream()
        .min(
            Comparator.comparingDouble((Size s) -> Math.abs(Math.log(s.vcpu() / vcpu)))
                .thenComparingLong(s -> Math.abs(s.memoryMib() - memoryMib))
                .thenComparingDouble(Size::vcpu))
        .orElseThrow();
  }

  static String vcpuText(double vcpu) {
    return vcpu == Math.rint(vcpu)
        ? Long.toString((long) vcpu)
        : String.format(Locale.ROOT, "%s", vcpu);
  }

  /** The vCPU values, as a message lists them. */
  static String vcpusText() {
    return String.join(", ", VCPUS.stream().map(FargateSizes::vcpuText).toList());
  }
}
