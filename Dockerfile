# The service image: the jar `./mvnw package` made (target/batch-executor-<version>.jar) on a JRE 17,
# run as a non-root user. Build it after the package:
#   ./mvnw -DskipTests package && docker build -t batch-executor .
# The base image is a build argument so that a machine without Docker Hub can substitute its own
# JRE 17, one with `java` on PATH and groupadd/useradd (Debian's, Ubuntu's, Red Hat's):
#   docker build --build-arg RUNTIME_IMAGE=local/jre:17 -t batch-executor .
ARG RUNTIME_IMAGE=eclipse-temurin:17-jre
FROM ${RUNTIME_IMAGE}
RUN (grep -q '^app:' /etc/group || groupadd --system app) \
 && (id app >/dev/null 2>&1 || useradd --system --gid app --home-dir /var/lib/batch-executor --no-create-home app) \
 && mkdir -p /var/lib/batch-executor \
 && chown app:app /var/lib/batch-executor
WORKDIR /var/lib/batch-executor
ARG JAR_FILE=target/batch-executor-*.jar
COPY ${JAR_FILE} /opt/batch-executor/batch-executor.jar
USER app
# The cache directory holds the embedded database (when no external one is set), the generated API
# token and local results.
ENV BATCH_EXECUTOR_AWSBATCH_CACHE_DIR=/var/lib/batch-executor
EXPOSE 8080
ENTRYPOINT ["java", "-jar", "/opt/batch-executor/batch-executor.jar"]
