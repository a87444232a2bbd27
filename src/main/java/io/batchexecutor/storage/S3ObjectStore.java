package io.batchexecutor.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/** Objects in S3 or any S3-compatible server, addressed as {@code s3://bucket/key}. */
public class S3ObjectStore implements ObjectStore {

  private static final String HEX = "0123456789ABCDEF";

  private final S3Client s3;

  public S3ObjectStore(S3Client s3) {
    this.s3 = s3;
  }

  @Override
  public URI locate(String bucket, String key) {
    return pointer(bucket, key);
  }

  /**
   * {@code s3://bucket/key}, the key percent-encoded (as UTF-8) except for unreserved characters
   * and {@code /}, so that any key makes a pointer and {@link URI#getPath} gives it back.
   */
  public static URI pointer(String bucket, String key) {
    StringBuilder path = new StringBuilder();
    for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || "-._~/".indexOf(c) >= 0) {
        path.append((char) c);
      } else {
        path.append('%').append(HEX.charAt(c >> 4)).append(HEX.charAt(c & 0xf));
      }
    }
    return URI.create("s3://" + bucket + "/" + path);
  }

  @Override
  public URI put(String bucket, String key, byte[] data) {
    s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(data));
    return locate(bucket, key);
  }

  @Override
  public URI put(String bucket, String key, Path file) {
    s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromFile(file));
    return locate(bucket, key);
  }

  @Override
  public OptionalLong size(URI pointer) {
    String bucket = pointer.getHost();
    String key = pointer.getPath().substring(1);
    try {
      Long length = s3.headObject(b -> b.bucket(bucket).key(key)).contentLength();
      if (length == null) {
        // an answer without Content-Length (an S3-compatible server's, for an object a client
        // wrote with chunked encoding): the object's bytes are counted instead
        try (InputStream in = s3.getObject(b -> b.bucket(bucket).key(key))) {
          return OptionalLong.of(in.transferTo(OutputStream.nullOutputStream()));
        } catch (IOException e) {
          throw new UncheckedIOException("cannot read " + pointer, e);
        }
      }
      return OptionalLong.of(length);
    } catch (NoSuchKeyException e) {
      return OptionalLong.empty();
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return OptionalLong.empty(); // HEAD answers without a body, so without the error code
      }
      throw e;
    }
  }

  /** A ranged GET ({@code Range: bytes=<from>-<to - 1>}): only what is asked for is sent. */
  @Override
  public Optional<InputStream> open(URI pointer, long from, long to) {
    if (to <= from) {
      return size(pointer).isPresent()
          ? Optional.of(InputStream.nullInputStream())
          : Optional.empty();
    }
    String bucket = pointer.getHost();
    String key = pointer.getPath().substring(1);
    try {
      return Optional.of(
          s3.getObject(
              b -> {
                b.bucket(bucket).key(key);
                if (from > 0 || to != END) {
                  b.range("bytes=" + from + "-" + (to == END ? "" : Long.toString(to - 1)));
                }
              }));
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    } catch (S3Exception e) {
      if (e.statusCode() == 416) {
        return Optional.of(InputStream.nullInputStream()); // from at or past the end
      }
      throw e;
    }
  }

  @Override
  public Optional<byte[]> get(URI pointer) {
    String bucket = pointer.getHost();
    String key = pointer.getPath().substring(1);
    try {
      return Optional.of(s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray());
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    }
  }

  /** Reads the body only after the response's length showed it is at most {@code maxBytes}. */
  @Override
  public Optional<byte[]> get(URI pointer, long maxBytes) {
    String bucket = pointer.getHost();
    String key = pointer.getPath().substring(1);
    try (ResponseInputStream<GetObjectResponse> body =
        s3.getObject(b -> b.bucket(bucket).key(key))) {
      Long length = body.response().contentLength();
      if (length != null && length > maxBytes) {
        body.abort(); // the rest of the body is not wanted: the connection is dropped, not drained
        throw new ObjectTooLargeException(pointer.toString(), length, maxBytes);
      }
      byte[] bytes = body.readNBytes((int) Math.min(maxBytes + 1, Integer.MAX_VALUE - 8));
      if (bytes.length > maxBytes) { // a server that gave no length
        body.abort();
        throw new ObjectTooLargeException(pointer.toString(), bytes.length, maxBytes);
      }
      return Optional.of(bytes);
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + pointer, e);
    }
  }

  @Override
  public void deleteUnder(URI prefix) {
    String bucket = prefix.getHost();
    String keyPrefix = prefix.getPath().substring(1);
    if (keyPrefix.isEmpty() || !keyPrefix.endsWith("/")) {
      throw new IllegalArgumentException("not a prefix: " + prefix);
    }
    List<ObjectIdentifier> keys = new ArrayList<>();
    for (S3Object object :
        s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(keyPrefix)).contents()) {
      keys.add(ObjectIdentifier.builder().key(object.key()).build());
    }
    for (int from = 0; from < keys.size(); from += 1000) { // DeleteObjects takes 1,000 at most
      List<ObjectIdentifier> batch = keys.subList(from, Math.min(from + 1000, keys.size()));
      s3.deleteObjects(b -> b.bucket(bucket).delete(d -> d.objects(batch).quiet(true)));
    }
  }

  @Override
  public boolean handles(URI pointer) {
    return "s3".equals(pointer.getScheme());
  }
}
