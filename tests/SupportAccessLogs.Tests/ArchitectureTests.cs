using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Mono.Cecil;
using Mono.Cecil.Cil;
using Xunit;

namespace SupportAccessLogs.Tests;

/// <summary>
/// The picture in docs/architecture.md ("Parts and the dependencies allowed between them") and
/// the compiled module are one list: every reference from a type of one part to a type of
/// another, anywhere in the IL (base types, fields, signatures, method bodies, attributes,
/// generic arguments, compiler-made closures and state machines), must be an edge the document
/// allows, and every edge the document allows must be used, so the picture can't go stale.
/// </summary>
public sealed class ArchitectureTests
{
    private const string Root = "SupportAccessLogs";

    [Fact]
    public void CompiledTypes_UseExactlyTheDependenciesTheArchitectureDocumentAllows()
    {
        IReadOnlyDictionary<string, HashSet<string>> allowed = AllowedEdges();
        IReadOnlyDictionary<(string From, string To), List<string>> actual = ActualEdges();

        var forbidden = actual
            .Where(edge => !(allowed.TryGetValue(edge.Key.From, out HashSet<string>? to) && to.Contains(edge.Key.To)))
            .Select(edge => $"{edge.Key.From} -> {edge.Key.To}, e.g. {string.Join("; ", edge.Value.Take(3))}")
            .OrderBy(line => line, StringComparer.Ordinal)
            .ToList();
        var unused = allowed
            .SelectMany(from => from.Value.Select(to => (From: from.Key, To: to)))
            .Where(edge => !actual.ContainsKey(edge))
            .Select(edge => $"{edge.From} -> {edge.To}")
            .ToList();

        Assert.True(forbidden.Count == 0, "Dependencies the architecture document does not allow:\n" + string.Join("\n", forbidden));
        Assert.True(unused.Count == 0, "Dependencies the architecture document allows but no code has (take them out of the picture):\n" + string.Join("\n", unused));
    }

    [Fact]
    public void EveryPartOfTheModule_IsInTheArchitectureDocument()
    {
        IReadOnlyDictionary<string, HashSet<string>> allowed = AllowedEdges();
        var parts = ModuleTypes().Select(PartOf).Where(p => p is not null).Distinct().ToList();
        Assert.DoesNotContain(parts, p => !allowed.ContainsKey(p!));
        Assert.DoesNotContain(allowed.Keys, p => !parts.Contains(p));
    }

    [Fact]
    public void TheAllowedDependencies_HaveNoCycle()
    {
        IReadOnlyDictionary<string, HashSet<string>> allowed = AllowedEdges();
        var state = new Dictionary<string, bool>(StringComparer.Ordinal); // false: on the path, true: done
        var path = new List<string>();

        string? Cycle(string part)
        {
            if (state.TryGetValue(part, out bool done))
            {
                return done ? null : string.Join(" -> ", path.SkipWhile(p => p != part).Append(part));
            }

            state[part] = false;
            path.Add(part);
            foreach (string next in allowed.TryGetValue(part, out HashSet<string>? to) ? to : new HashSet<string>())
            {
                if (Cycle(next) is string found)
                {
                    return found;
                }
            }

            path.RemoveAt(path.Count - 1);
            state[part] = true;
            return null;
        }

        foreach (string part in allowed.Keys)
        {
            Assert.Null(Cycle(part));
        }
    }

    [Fact]
    public void EveryType_LivesInTheNamespaceItsFolderNames()
    {
        string source = Path.Combine(RepositoryRoot(), "src", Root);
        var wrong = new List<string>();
        foreach (string file in Directory.EnumerateFiles(source, "*.cs", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(source, file);
            string[] folders = relative.Split(Path.DirectorySeparatorChar)[..^1];
            if (folders.Length > 0 && (folders[0] is "obj" or "bin" or "Compatibility"))
            {
                // Compatibility/ is for the netstandard2.0 build only: the compiler's own
                // attributes, in the namespace the compiler looks for them in, and extension
                // methods .NET has built in, in the root namespace so that call sites find them
                // exactly where the net8.0 build finds the real ones (no using to add).
                continue;
            }

            string expected = string.Join(".", new[] { Root }.Concat(folders));
            Match declared = Regex.Match(File.ReadAllText(file), @"^namespace\s+([\w.]+)\s*;", RegexOptions.Multiline);
            if (!declared.Success || declared.Groups[1].Value != expected)
            {
                wrong.Add($"{relative}: namespace {(declared.Success ? declared.Groups[1].Value : "(none)")}, expected {expected}");
            }
        }

        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    /// <summary>The document's table: a line per part, "Part -> Other, Other" (or "-> nothing").</summary>
    private static IReadOnlyDictionary<string, HashSet<string>> AllowedEdges()
    {
        string document = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "architecture.md"));
        Match block = Regex.Match(document, @"<!-- dependencies: begin -->\s*```text\r?\n(?<lines>.*?)```\s*<!-- dependencies: end -->", RegexOptions.Singleline);
        Assert.True(block.Success, "docs/architecture.md has no dependency list between <!-- dependencies: begin --> and <!-- dependencies: end -->.");
        var edges = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (string line in block.Groups["lines"].Value.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0))
        {
            Match entry = Regex.Match(line, @"^(?<from>[\w.()]+)\s*->\s*(?<to>.*)$");
            Assert.True(entry.Success, $"Can't read the dependency line '{line}'.");
            string to = entry.Groups["to"].Value.Trim();
            edges.Add(entry.Groups["from"].Value, to == "nothing"
                ? new HashSet<string>(StringComparer.Ordinal)
                : new HashSet<string>(to.Split(',').Select(t => t.Trim()), StringComparer.Ordinal));
        }

        return edges;
    }

    /// <summary>Every part-to-part reference in the compiled module, with a few examples each.</summary>
    private static IReadOnlyDictionary<(string From, string To), List<string>> ActualEdges()
    {
        var edges = new Dictionary<(string, string), List<string>>();
        foreach (TypeDefinition type in ModuleTypes())
        {
            string? from = PartOf(type);
            if (from is null)
            {
                continue;
            }

            foreach ((TypeReference referenced, string where) in References(type))
            {
                foreach (TypeDefinition target in OwnTypesIn(referenced, type.Module))
                {
                    string? to = PartOf(target);
                    if (to is null || to == from)
                    {
                        continue;
                    }

                    if (!edges.TryGetValue((from, to), out List<string>? examples))
                    {
                        edges[(from, to)] = examples = new List<string>();
                    }

                    string example = $"{Outermost(type).FullName} {where} uses {Outermost(target).FullName}";
                    if (examples.Count < 20 && !examples.Contains(example))
                    {
                        examples.Add(example);
                    }
                }
            }
        }

        return edges;
    }

    private static ModuleDefinition? _module;

    private static IEnumerable<TypeDefinition> ModuleTypes()
    {
        _module ??= ModuleDefinition.ReadModule(typeof(SupportAccessActivity).Assembly.Location);
        return _module.GetTypes();
    }

    /// <summary>The part a type belongs to: its (outermost) namespace, "SupportAccessLogs" for the
    /// public contract; null for what the compiler adds.</summary>
    private static string? PartOf(TypeDefinition type)
    {
        string ns = Outermost(type).Namespace;
        if (ns == Root)
        {
            return Root;
        }

        return ns.StartsWith(Root + ".", StringComparison.Ordinal) ? ns.Substring(Root.Length + 1) : null;
    }

    private static TypeDefinition Outermost(TypeDefinition type)
    {
        while (type.DeclaringType is not null)
        {
            type = type.DeclaringType;
        }

        return type;
    }

    /// <summary>The module's own types a reference names, through arrays, generics and pointers.</summary>
    private static IEnumerable<TypeDefinition> OwnTypesIn(TypeReference? reference, ModuleDefinition module)
    {
        switch (reference)
        {
            case null:
            case GenericParameter:
                yield break;
            case GenericInstanceType generic:
                foreach (TypeDefinition t in OwnTypesIn(generic.ElementType, module))
                {
                    yield return t;
                }

                foreach (TypeReference argument in generic.GenericArguments)
                {
                    foreach (TypeDefinition t in OwnTypesIn(argument, module))
                    {
                        yield return t;
                    }
                }

                yield break;
            case TypeSpecification specification:
                foreach (TypeDefinition t in OwnTypesIn(specification.ElementType, module))
                {
                    yield return t;
                }

                yield break;
        }

        if (reference is TypeDefinition own && own.Module == module)
        {
            yield return own;
        }
        else if (reference.Scope == module || reference.Module == module && reference.Scope is ModuleDefinition)
        {
            TypeDefinition? resolved = reference.Resolve();
            if (resolved is not null && resolved.Module == module)
            {
                yield return resolved;
            }
        }
    }

    private static IEnumerable<(TypeReference Type, string Where)> References(TypeDefinition type)
    {
        if (type.BaseType is not null)
        {
            yield return (type.BaseType, "derives from and");
        }

        foreach (InterfaceImplementation implemented in type.Interfaces)
        {
            yield return (implemented.InterfaceType, "implements and");
        }

        foreach ((TypeReference t, string w) in Attributes(type.CustomAttributes, "attribute"))
        {
            yield return (t, w);
        }

        foreach (GenericParameter parameter in type.GenericParameters)
        {
            foreach (GenericParameterConstraint constraint in parameter.Constraints)
            {
                yield return (constraint.ConstraintType, "constraint");
            }
        }

        foreach (FieldDefinition field in type.Fields)
        {
            yield return (field.FieldType, $"field {field.Name}");
            foreach ((TypeReference t, string w) in Attributes(field.CustomAttributes, $"field {field.Name}"))
            {
                yield return (t, w);
            }
        }

        foreach (PropertyDefinition property in type.Properties)
        {
            yield return (property.PropertyType, $"property {property.Name}");
            foreach ((TypeReference t, string w) in Attributes(property.CustomAttributes, $"property {property.Name}"))
            {
                yield return (t, w);
            }
        }

        foreach (EventDefinition @event in type.Events)
        {
            yield return (@event.EventType, $"event {@event.Name}");
        }

        foreach (MethodDefinition method in type.Methods)
        {
            string where = $"method {method.Name}";
            yield return (method.ReturnType, where);
            foreach (ParameterDefinition parameter in method.Parameters)
            {
                yield return (parameter.ParameterType, where);
                foreach ((TypeReference t, string w) in Attributes(parameter.CustomAttributes, where))
                {
                    yield return (t, w);
                }
            }

            foreach ((TypeReference t, string w) in Attributes(method.CustomAttributes, where))
            {
                yield return (t, w);
            }

            foreach (MethodReference overridden in method.Overrides)
            {
                yield return (overridden.DeclaringType, where);
            }

            if (!method.HasBody)
            {
                continue;
            }

            foreach (VariableDefinition variable in method.Body.Variables)
            {
                yield return (variable.VariableType, where);
            }

            foreach (ExceptionHandler handler in method.Body.ExceptionHandlers)
            {
                if (handler.CatchType is not null)
                {
                    yield return (handler.CatchType, where);
                }
            }

            foreach (Instruction instruction in method.Body.Instructions)
            {
                switch (instruction.Operand)
                {
                    case TypeReference t:
                        yield return (t, where);
                        break;
                    case MethodReference m:
                        yield return (m.DeclaringType, where);
                        yield return (m.ReturnType, where);
                        foreach (ParameterDefinition p in m.Parameters)
                        {
                            yield return (p.ParameterType, where);
                        }

                        if (m is GenericInstanceMethod genericMethod)
                        {
                            foreach (TypeReference argument in genericMethod.GenericArguments)
                            {
                                yield return (argument, where);
                            }
                        }

                        break;
                    case FieldReference f:
                        yield return (f.DeclaringType, where);
                        yield return (f.FieldType, where);
                        break;
                }
            }
        }
    }

    private static IEnumerable<(TypeReference, string)> Attributes(IEnumerable<CustomAttribute> attributes, string where)
    {
        foreach (CustomAttribute attribute in attributes)
        {
            yield return (attribute.AttributeType, where + " attribute");
            foreach (CustomAttributeArgument argument in attribute.ConstructorArguments.Concat(attribute.Properties.Select(p => p.Argument)))
            {
                if (argument.Value is TypeReference typeArgument)
                {
                    yield return (typeArgument, where + " attribute");
                }
            }
        }
    }

    internal static string RepositoryRoot()
    {
        string? directory = AppContext.BaseDirectory;
        while (directory is not null && !File.Exists(Path.Combine(directory, "SupportAccessLogs.psd1")))
        {
            directory = Path.GetDirectoryName(directory);
        }

        return directory ?? throw new InvalidOperationException("The repository root (with SupportAccessLogs.psd1) is not above " + AppContext.BaseDirectory);
    }

    /// <summary>Prints today's edges (run with ARCHITECTURE_PRINT=1) to draw the picture from.</summary>
    [Fact]
    public void PrintEdges_WhenAsked()
    {
        if (Environment.GetEnvironmentVariable("ARCHITECTURE_PRINT") is not "1")
        {
            return;
        }

        var lines = ActualEdges().OrderBy(e => e.Key.From).ThenBy(e => e.Key.To)
            .Select(e => $"{e.Key.From} -> {e.Key.To}   [{e.Value.Count}] {string.Join(" | ", e.Value.Take(4))}");
        File.WriteAllLines(Path.Combine(Path.GetTempPath(), "architecture-edges.txt"), lines);
    }
}
