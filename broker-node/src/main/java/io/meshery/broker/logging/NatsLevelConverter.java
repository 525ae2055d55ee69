package io.meshery.broker.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/** Prints log levels as nats-server does: {@code INF}, {@code DBG}, {@code TRC}, {@code WRN}, {@code ERR}. */
public final class NatsLevelConverter extends ClassicConverter {

    @Override
    public String convert(ILoggingEvent event) {
        Level level = event.getLevel();
        if (level == Level.ERROR) {
            return "ERR";
        } else if (level == Level.WARN) {
            return "WRN";
        } else if (level == Level.INFO) {
            return "INF";
        } else if (level == Level.DEBUG) {
            return "DBG";
        }
        return "TRC";
    }
}
