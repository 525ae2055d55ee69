/** JMH microbenchmarks of the publish to deliver path; run with {@code bin/microbench}. */
package io.meshery.broker.microbench;
