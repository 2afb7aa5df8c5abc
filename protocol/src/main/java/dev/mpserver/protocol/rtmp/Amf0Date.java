package dev.mpserver.protocol.rtmp;

/**
 * An AMF0 date (marker 0x0B) in the decoded value model.
 *
 * @param epochMillis     milliseconds since 1970-01-01 UTC, as the double on the wire.
 * @param timezoneMinutes the s16 time zone field (the spec says senders should write 0, readers ignore it).
 */
public record Amf0Date(double epochMillis, int timezoneMinutes)
{
}
