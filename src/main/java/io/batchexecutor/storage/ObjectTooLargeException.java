package io.batchexecutor.storage;

/** An object larger than its reader takes: it was not read into memory. */
public class ObjectTooLargeException extends IllegalStateException {

  private static final long serialVersionUID = 1L;

  private final String pointer;
  private final long size;
  private final long limit;

  public ObjectTooLargeException(String pointer, long size, long limit) {
    super(pointer + " is " + size + " bytes, more than the " + limit + " bytes it may have");
    this.pointer = pointer;
    this.size = size;
    this.limit = limit;
  }

  /** The object's pointer. */
  public String pointer() {
    return pointer;
  }

  /** Its size in bytes. */
  public long size() {
    return size;
  }

  /** The most bytes its reader takes. */
  public long limit() {
    return limit;
  }
}
