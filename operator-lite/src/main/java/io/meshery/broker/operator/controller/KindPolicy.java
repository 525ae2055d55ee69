package io.meshery.broker.operator.controller;

import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * What is special about updating one kind: fields the API server allocated that an update must carry over, and
 * fields it will not let change in place (the object is then deleted and created again).
 */
interface KindPolicy<T extends HasMetadata> {
    /** Copies into {@code desired} what must survive the update from {@code current}; returns {@code desired}. */
    default T preserve(T current, T desired) {
        return desired;
    }

    /** Why the object cannot be updated in place, or null when it can. */
    default String recreateReason(T current, T desired) {
        return null;
    }

    /** How dependents are treated when the object is deleted to be created again. */
    default DeletionPropagation recreatePropagation() {
        return DeletionPropagation.BACKGROUND;
    }

    static <T extends HasMetadata> KindPolicy<T> none() {
        return new KindPolicy<>() {};
    }
}
