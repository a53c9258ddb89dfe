/**
 * Observations, metrics and health for the starter, each switched on by what the application has:
 * {@link io.preprompt.credits.spring.observation.CreditsObservationAutoConfiguration} times every
 * service call as the observation {@code credits.operation} and counts credits, refused
 * generations and store conflicts; {@link io.preprompt.credits.spring.observation.CreditsHealthAutoConfiguration}
 * contributes the store's health as {@code credits}. The starter's README lists every name and tag.
 */
@NullMarked
package io.preprompt.credits.spring.observation;

import org.jspecify.annotations.NullMarked;
