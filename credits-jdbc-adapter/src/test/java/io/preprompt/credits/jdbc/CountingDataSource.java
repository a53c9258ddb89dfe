package io.preprompt.credits.jdbc;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiPredicate;
import javax.sql.DataSource;

/** A data source whose connections count the calls a test is interested in. */
final class CountingDataSource {
  private CountingDataSource() {}

  /**
   * Wraps a data source so that every call on its connections that {@code counted} accepts (given
   * the method's name and arguments) adds one to {@code count}.
   */
  static DataSource counting(DataSource delegate, BiPredicate<String, Object[]> counted, AtomicInteger count) {
    ClassLoader loader = CountingDataSource.class.getClassLoader();
    return (DataSource) Proxy.newProxyInstance(loader, new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
      Object result = invoke(method, delegate, args);
      if (!(result instanceof Connection connection)) {
        return result;
      }
      return Proxy.newProxyInstance(loader, new Class<?>[] {Connection.class}, (p, m, a) -> {
        if (counted.test(m.getName(), a)) {
          count.incrementAndGet();
        }
        return invoke(m, connection, a);
      });
    });
  }

  private static Object invoke(Method method, Object target, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
