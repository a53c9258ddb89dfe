package io.preprompt.credits.gate;

/** What a generation produces. */
public enum GenerationKind {
  /** A still image (a storyboard frame, an Actor, a Set). */
  IMAGE,
  /** A video clip, priced per second. */
  VIDEO_CLIP,
  /** A voice line, priced per second. */
  VOICE_LINE,
  /** A music cue, priced per second. */
  MUSIC_CUE
}
