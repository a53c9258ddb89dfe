package io.preprompt.credits.gate;

/**
 * One line of an itemized estimate.
 *
 * @param label what the line prices (base, per-second, resolution factor, variants, reshot, rounding)
 * @param detail how, in words and numbers
 * @param millicredits the running amount after this line, in millicredits (exact, before rounding;
 *     fractional millicredits are shown rounded up)
 */
public record EstimateLine(String label, String detail, long millicredits) {}
