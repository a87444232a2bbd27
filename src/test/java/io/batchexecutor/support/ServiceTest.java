package io.batchexecutor.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.ContextConfiguration;

/**
 * The whole service on a random loopback port, on the embedded PostgreSQL with a database of its
 * own (dropped when the context closes); settings in {@code application-test.yml}. The pipeline is
 * off unless a test turns it on with {@code @TestPropertySource}. Its {@code Clock} is a {@link
 * SettableClock} that runs with the system's time until a test moves it forward.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
@ContextConfiguration(initializers = TestDatabase.class)
@Import({TestDatabase.Cleanup.class, SettableClock.InContext.class})
public @interface ServiceTest {}
