package io.preprompt.credits.plans;

/**
 * The result of verifying an email.
 *
 * @param granted whether this verification granted the signup credits
 * @param credits credits granted (0 when already granted before)
 * @param detail explanation, e.g. that the grant was already made
 */
public record SignupResult(boolean granted, long credits, String detail) {}
