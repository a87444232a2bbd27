package io.batchexecutor.config;

import io.batchexecutor.config.BatchExecutorProperties.Backend;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches when the deployment lists {@link #value} among its backends ({@link DeploymentBackends}),
 * or, with {@link #here}, when this instance runs it; the opposite with {@link #negate}.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@Documented
@Conditional(ConditionalOnBackend.OnBackend.class)
public @interface ConditionalOnBackend {

  /** The backend. */
  Backend value();

  /** Whether this instance must run the backend's tasks itself (not only the deployment). */
  boolean here() default false;

  /** Whether to match when the backend is not listed (not run here, with {@link #here}). */
  boolean negate() default false;

  /** Reads the three settings as {@link BatchExecutorProperties} binds them. */
  final class OnBackend implements Condition {

    @Override
    public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
      Map<String, Object> attributes =
          metadata.getAnnotationAttributes(ConditionalOnBackend.class.getName());
      if (attributes == null) {
        return false;
      }
      Backend backend = (Backend) attributes.get("value");
      boolean here = (Boolean) attributes.get("here");
      boolean negate = (Boolean) attributes.get("negate");
      DeploymentBackends backends = of(Binder.get(context.getEnvironment()));
      return negate != (here ? backends.runsHere(backend) : backends.lists(backend));
    }

    /** The backends as the environment's settings give them. */
    static DeploymentBackends of(Binder binder) {
      Bindable<List<Backend>> list = Bindable.listOf(Backend.class);
      return DeploymentBackends.of(
          binder.bind("batch-executor.backend", Backend.class).orElse(null),
          binder.bind("batch-executor.backends", list).orElse(null),
          binder.bind("batch-executor.instance.backends", list).orElse(null));
    }
  }
}
