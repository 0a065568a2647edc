using System;
using System.Collections.Generic;
using System.Linq;

namespace SupportAccessLogs.KqlRules;

/// <summary>Every value of an enum, so that a generated rule covers a value added later too.</summary>
internal static class EnumValues
{
#pragma warning disable CA2263 // netstandard2.0 has no generic Enum.GetValues.
    public static IEnumerable<T> Of<T>()
        where T : struct, Enum =>
        Enum.GetValues(typeof(T)).Cast<T>();
#pragma warning restore CA2263
}
