package dev.tessera.offline.catalog;

import java.net.URI;
import java.util.List;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.blobstore.domain.StorageMetadata;
import org.jclouds.blobstore.options.ListContainerOptions;

/** An S3-compatible server in this JVM (s3proxy over an in-memory blob store), on a free port. */
public final class EmbeddedS3 implements AutoCloseable {
  public static final String ACCESS_KEY = "tessera";
  public static final String SECRET_KEY = "tessera-secret";

  private final BlobStoreContext context;
  private final S3Proxy proxy;

  public EmbeddedS3() throws Exception {
    // s3proxy rejects the AWS SDK's default checksums; the CLI's Main sets the same for its process
    System.setProperty("aws.requestChecksumCalculation", "when_required");
    System.setProperty("aws.responseChecksumValidation", "when_required");
    Properties props = new Properties();
    context = ContextBuilder.newBuilder("transient").credentials("identity", "credential").overrides(props).build(BlobStoreContext.class);
    proxy = S3Proxy.builder()
        .blobStore(context.getBlobStore())
        .endpoint(URI.create("http://127.0.0.1:0"))
        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
        .build();
    proxy.start();
    long deadline = System.currentTimeMillis() + 10_000;
    while (!"STARTED".equals(proxy.getState())) {
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException("s3proxy did not start: " + proxy.getState());
      }
      Thread.onSpinWait();
    }
  }

  public String endpoint() {
    return "http://127.0.0.1:" + proxy.getPort();
  }

  public void createBucket(String bucket) {
    context.getBlobStore().createContainerInLocation(null, bucket);
  }

  /** Names of the objects under {@code prefix}. */
  public List<String> list(String bucket, String prefix) {
    BlobStore store = context.getBlobStore();
    return store.list(bucket, ListContainerOptions.Builder.prefix(prefix).recursive()).stream()
        .map(StorageMetadata::getName).toList();
  }

  @Override
  public void close() throws Exception {
    proxy.stop();
    context.close();
  }
}
