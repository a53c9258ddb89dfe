package io.preprompt.credits.examples.studio;

import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/** Puts the pages behind sign-in, all but the sign-up, the verification link and the assets. */
@Configuration
class WebConfig implements WebMvcConfigurer {
  @Override
  public void addInterceptors(InterceptorRegistry registry) {
    registry.addInterceptor(new SignedIn())
        .addPathPatterns("/studio", "/history", "/usage", "/billing", "/billing/**", "/events", "/api/**",
            "/signout");
  }
}
