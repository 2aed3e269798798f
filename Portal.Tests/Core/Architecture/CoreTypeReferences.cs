using Mono.Cecil;
using Mono.Cecil.Cil;
using Portal.Core.Persistence;

namespace Portal.Tests.Core.Architecture;

/// <summary>One use of a type by a type of Portal.Core, as the compiled assembly holds it.</summary>
/// <param name="Source">The top-level Portal.Core type that holds the reference (nested and compiler-generated types count as their outermost type).</param>
/// <param name="Target">The referenced type, outermost type for nested ones.</param>
/// <param name="Member">Where in <paramref name="Source"/> the reference sits, for messages.</param>
/// <param name="IsInCore">Whether <paramref name="Target"/> is one of Portal.Core's own types (in a Portal.Core namespace).</param>
public sealed record CoreTypeReference(string Source, string SourceNamespace, string Target, string TargetNamespace, string Member, bool IsInCore)
{
    public override string ToString() => $"{Source} -> {Target} (in {Member})";
}

/// <summary>
/// Reads Portal.Core.dll with Mono.Cecil and lists every type reference: base types, interfaces, attributes, fields,
/// properties, signatures, locals and the operands of every instruction (so a <c>new</c>, a call or a <c>typeof</c>
/// in a method body counts). Constants are compiled into the caller and are not references.
/// </summary>
public static class CoreTypeReferences
{
    public const string CoreNamespace = "Portal.Core";

    private static readonly Lazy<IReadOnlyList<CoreTypeReference>> All = new(Read);

    public static IReadOnlyList<CoreTypeReference> References => All.Value;

    /// <summary>The folder of a Portal.Core namespace: its first segment after Portal.Core, or "(root)".</summary>
    public static string FolderOf(string @namespace)
    {
        if (@namespace == CoreNamespace)
        {
            return "(root)";
        }
        var rest = @namespace[(CoreNamespace.Length + 1)..];
        var dot = rest.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? rest : rest[..dot];
    }

    /// <summary>The first two segments after Portal.Core ("Platforms.BitbucketServer"), or the folder when there is no second one.</summary>
    public static string SubfolderOf(string @namespace)
    {
        if (@namespace == CoreNamespace)
        {
            return "(root)";
        }
        var segments = @namespace[(CoreNamespace.Length + 1)..].Split('.');
        return segments.Length == 1 ? segments[0] : $"{segments[0]}.{segments[1]}";
    }

    public static bool IsCoreNamespace(string @namespace) =>
        @namespace == CoreNamespace || @namespace.StartsWith(CoreNamespace + ".", StringComparison.Ordinal);

    private static List<CoreTypeReference> Read()
    {
        using var module = ModuleDefinition.ReadModule(typeof(PortalDbContext).Assembly.Location);
        var references = new List<CoreTypeReference>();
        foreach (var type in module.GetTypes())
        {
            var outermost = Outermost(type);
            if (!IsCoreNamespace(outermost.Namespace))
            {
                continue; // <Module>, <PrivateImplementationDetails> and the like
            }
            new Collector(outermost, module, references).Visit(type);
        }
        return references;
    }

    private static TypeReference Outermost(TypeReference type)
    {
        while (type.DeclaringType is not null)
        {
            type = type.DeclaringType;
        }
        return type;
    }

    private sealed class Collector(TypeReference source, ModuleDefinition module, List<CoreTypeReference> references)
    {
        private string member = "";

        public void Visit(TypeDefinition type)
        {
            member = type.Name;
            Add(type.BaseType);
            foreach (var implemented in type.Interfaces)
            {
                Add(implemented.InterfaceType);
            }
            Attributes(type);
            GenericParameters(type);
            foreach (var field in type.Fields)
            {
                member = $"{type.Name}.{field.Name}";
                Add(field.FieldType);
                Attributes(field);
            }
            foreach (var property in type.Properties)
            {
                member = $"{type.Name}.{property.Name}";
                Add(property.PropertyType);
                Attributes(property);
            }
            foreach (var @event in type.Events)
            {
                member = $"{type.Name}.{@event.Name}";
                Add(@event.EventType);
            }
            foreach (var method in type.Methods)
            {
                member = $"{type.Name}.{method.Name}";
                Method(method);
            }
        }

        private void Method(MethodDefinition method)
        {
            Add(method.ReturnType);
            Attributes(method);
            Attributes(method.MethodReturnType);
            GenericParameters(method);
            foreach (var parameter in method.Parameters)
            {
                Add(parameter.ParameterType);
                Attributes(parameter);
            }
            foreach (var overridden in method.Overrides)
            {
                MethodReference(overridden);
            }
            if (!method.HasBody)
            {
                return;
            }
            foreach (var local in method.Body.Variables)
            {
                Add(local.VariableType);
            }
            foreach (var handler in method.Body.ExceptionHandlers)
            {
                Add(handler.CatchType);
            }
            foreach (var instruction in method.Body.Instructions)
            {
                Operand(instruction);
            }
        }

        private void Operand(Instruction instruction)
        {
            switch (instruction.Operand)
            {
                case TypeReference type:
                    Add(type);
                    break;
                case MethodReference method:
                    MethodReference(method);
                    break;
                case FieldReference field:
                    Add(field.DeclaringType);
                    Add(field.FieldType);
                    break;
            }
        }

        private void MethodReference(MethodReference method)
        {
            Add(method.DeclaringType);
            Add(method.ReturnType);
            foreach (var parameter in method.Parameters)
            {
                Add(parameter.ParameterType);
            }
            if (method is GenericInstanceMethod generic)
            {
                foreach (var argument in generic.GenericArguments)
                {
                    Add(argument);
                }
            }
        }

        private void GenericParameters(IGenericParameterProvider provider)
        {
            foreach (var parameter in provider.GenericParameters)
            {
                foreach (var constraint in parameter.Constraints)
                {
                    Add(constraint.ConstraintType);
                }
            }
        }

        private void Attributes(ICustomAttributeProvider provider)
        {
            foreach (var attribute in provider.CustomAttributes)
            {
                Add(attribute.AttributeType);
                foreach (var argument in attribute.ConstructorArguments.Concat(attribute.Properties.Select(p => p.Argument)).Concat(attribute.Fields.Select(f => f.Argument)))
                {
                    if (argument.Value is TypeReference type)
                    {
                        Add(type);
                    }
                }
            }
        }

        private void Add(TypeReference? type)
        {
            switch (type)
            {
                case null or GenericParameter:
                    return;
                case GenericInstanceType generic:
                    Add(generic.ElementType);
                    foreach (var argument in generic.GenericArguments)
                    {
                        Add(argument);
                    }
                    return;
                case TypeSpecification specification: // arrays, by-ref, pointers, modifiers
                    Add(specification.ElementType);
                    return;
            }
            var target = Outermost(type);
            if (target.FullName == source.FullName)
            {
                return;
            }
            // Compiler-embedded attributes (NullableAttribute, <PrivateImplementationDetails>) live in the module but in no folder.
            var isInCore = target.Scope is ModuleDefinition scope && scope == module && IsCoreNamespace(target.Namespace);
            references.Add(new CoreTypeReference(source.FullName, source.Namespace, target.FullName, target.Namespace, member, isInCore));
        }
    }
}
