# The service image: built with the Maven wrapper, run on a JRE 17 as a non-root user.
# Base images are build arguments so that a machine without Docker Hub can substitute its own:
#   docker build --build-arg BUILD_IMAGE=my/jdk17 --build-arg RUNTIME_IMAGE=my/jre17 -t batch-executor .
ARG BUILD_IMAGE=eclipse-temurin:17-jdk
ARG RUNTIME_IMAGE=eclipse-temurin:17-jre

FROM ${BUILD_IMAGE} AS build
WORKDIR /src
COPY .mvn .mvn
COPY mvnw pom.xml ./
RUN ./mvnw --batch-mode --no-transfer-progress dependency:go-offline
COPY db db
COPY src src
RUN ./mvnw --batch-mode --no-transfer-progress -DskipTests -Dspotless.check.skip=true package \
 && cp target/batch-executor-*.jar /src/batch-executor.jar

FROM ${RUNTIME_IMAGE}
RUN (getent group app || groupadd --system app) \
 && (id app 2>/dev/null || useradd --system --gid app --home-dir /var/lib/batch-executor --create-home app)
WORKDIR /var/lib/batch-executor
COPY --from=build /src/batch-executor.jar /opt/batch-executor/batch-executor.jar
USER app
# The cache directory holds the embedded database (when no external one is set) and local results.
ENV BATCH_EXECUTOR_AWSBATCH_CACHE_DIR=/var/lib/batch-executor
EXPOSE 8080
ENTRYPOINT ["java", "-jar", "/opt/batch-executor/batch-executor.jar"]
