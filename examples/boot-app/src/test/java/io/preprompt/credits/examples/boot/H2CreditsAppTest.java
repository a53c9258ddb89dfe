package io.preprompt.credits.examples.boot;

/** The app as it starts from application.yml: on embedded H2. */
class H2CreditsAppTest extends CreditsAppContract {}
