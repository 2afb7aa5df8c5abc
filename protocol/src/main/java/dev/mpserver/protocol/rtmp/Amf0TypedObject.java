package dev.mpserver.protocol.rtmp;

import java.util.Map;

/**
 * An AMF0 typed object (marker 0x10) in the decoded value model: a class name and the properties
 * of an anonymous object.
 *
 * @param className  the registered class name.
 * @param properties the properties in wire order.
 */
public record Amf0TypedObject(String className, Map<String, Object> properties)
{
}
