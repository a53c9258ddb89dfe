package io.preprompt.credits.core;

import io.preprompt.credits.CreditService;

/**
 * What one {@link CreditService#sweep()} did.
 *
 * @param holdsExpired holds that passed their deadline and were released
 * @param lotsExpired lots whose remaining credits expired
 * @param accountsTouched accounts changed
 */
public record SweepReport(int holdsExpired, int lotsExpired, int accountsTouched) {}
