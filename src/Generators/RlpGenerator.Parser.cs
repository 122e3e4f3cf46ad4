using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace FastLoad.Generators;

// Symbols -> model + diagnostics. Runs inside the transform step; nothing it returns refers to a symbol.
public sealed partial class RlpGenerator
{
    private const string PrimitivesNamespace = "global::FastLoad.Engine.Primitives.";
    private const string ReadOnlyMemoryOfT = "global::System.ReadOnlyMemory<T>";

    private static readonly RlpParseResult Nothing = new(null, EquatableArray<DiagnosticInfo>.Empty);

    /// <summary>Types with <c>Rlp.LengthOf</c>/<c>Rlp.Write</c> overloads, by fully qualified name.</summary>
    private static readonly HashSet<string> ScalarTypeNames =
    [
        "byte",
        "uint",
        "ulong",
        PrimitivesNamespace + "UInt256",
        PrimitivesNamespace + "Address",
        PrimitivesNamespace + "Address?",
        PrimitivesNamespace + "Hash256",
        "global::System.ReadOnlyMemory<byte>",
    ];

    /// <summary>Namespaces and containing types, keywords escaped, no <c>global::</c>.</summary>
    private static readonly SymbolDisplayFormat QualifiedNameFormat = new(
        globalNamespaceStyle: SymbolDisplayGlobalNamespaceStyle.Omitted,
        typeQualificationStyle: SymbolDisplayTypeQualificationStyle.NameAndContainingTypesAndNamespaces,
        miscellaneousOptions: SymbolDisplayMiscellaneousOptions.EscapeKeywordIdentifiers);

    private static RlpParseResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not INamedTypeSymbol type || context.TargetNode is not TypeDeclarationSyntax declaration)
        {
            return Nothing;
        }

        // [RlpSerializable] repeated on two parts is a compiler error already; emit once, from the first.
        if (!IsFirstSerializableAttribute(type, context.Attributes))
        {
            return Nothing;
        }

        string typeDisplay = type.ToDisplayString();
        List<DiagnosticInfo> diagnostics = [];
        bool valid = true;

        // The struct and every type around it must be partial.
        if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
        {
            diagnostics.Add(Diagnostic(DiagnosticDescriptors.TypeNotPartial, declaration.Identifier.GetLocation(), typeDisplay, typeDisplay));
            valid = false;
        }
        for (SyntaxNode? parent = declaration.Parent; parent is not null; parent = parent.Parent)
        {
            if (parent is TypeDeclarationSyntax container && !container.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                string containerDisplay = context.SemanticModel.GetDeclaredSymbol(container, cancellationToken)?.ToDisplayString() ?? container.Identifier.ValueText;
                diagnostics.Add(Diagnostic(DiagnosticDescriptors.TypeNotPartial, container.Identifier.GetLocation(), containerDisplay, typeDisplay));
                valid = false;
            }
        }

        // Every readable instance member with an order, supported type or not, so one pass reports all order problems.
        List<(ISymbol Symbol, int Order, int Index, RlpShape? Shape)> members = [];
        bool readOnlyMembers = true;
        bool anyField = false;
        foreach (ISymbol member in type.GetMembers())
        {
            cancellationToken.ThrowIfCancellationRequested();
            AttributeData? field = FindAttribute(member.GetAttributes(), FieldAttributeName);
            if (field is null) continue;
            anyField = true;

            // [field: RlpField] on an auto-property lands on its backing field; read it through the property.
            ISymbol accessed = member is IFieldSymbol { AssociatedSymbol: IPropertySymbol property } ? property : member;
            Location? location = FirstLocation(accessed);

            if (field.ConstructorArguments.Length != 1 || field.ConstructorArguments[0].Value is not int order)
            {
                valid = false; // a malformed attribute is a compiler error already
                continue;
            }

            ITypeSymbol memberType;
            switch (accessed)
            {
                case IFieldSymbol { IsStatic: false } instanceField:
                    memberType = instanceField.Type;
                    break;
                case IPropertySymbol { IsStatic: false, IsIndexer: false, GetMethod: { } getter } instanceProperty:
                    memberType = instanceProperty.Type;
                    readOnlyMembers &= type.IsReadOnly || getter.IsReadOnly;
                    break;
                default:
                    diagnostics.Add(Diagnostic(DiagnosticDescriptors.MemberNotReadable, location, accessed.Name, typeDisplay));
                    valid = false;
                    continue;
            }

            RlpShape? shape = null;
            if (ContainsErrorType(memberType))
            {
                valid = false; // the compiler reports the unknown type
            }
            else
            {
                shape = Classify(memberType);
                if (shape is null)
                {
                    diagnostics.Add(Diagnostic(DiagnosticDescriptors.UnsupportedMemberType, location, accessed.Name, typeDisplay, memberType.ToDisplayString()));
                    valid = false;
                }
            }

            if (order < 0)
            {
                diagnostics.Add(Diagnostic(DiagnosticDescriptors.NegativeOrder, location, accessed.Name, typeDisplay, order.ToString(CultureInfo.InvariantCulture)));
                valid = false;
                continue;
            }

            members.Add((accessed, order, members.Count, shape));
        }

        if (!anyField)
        {
            diagnostics.Add(Diagnostic(DiagnosticDescriptors.NoFields, declaration.Identifier.GetLocation(), typeDisplay));
            valid = false;
        }

        // Orders must be exactly 0..n-1: report duplicates, then each number skipped.
        // List.Sort is unstable: break ties by declaration order so duplicates are named first-declared first.
        members.Sort(static (left, right) => left.Order != right.Order ? left.Order.CompareTo(right.Order) : left.Index.CompareTo(right.Index));
        int expected = 0;
        for (int i = 0; i < members.Count; i++)
        {
            (ISymbol symbol, int order, _, _) = members[i];
            if (i > 0 && members[i - 1].Order == order)
            {
                diagnostics.Add(Diagnostic(
                    DiagnosticDescriptors.DuplicateOrder,
                    FirstLocation(symbol),
                    members[i - 1].Symbol.Name,
                    symbol.Name,
                    typeDisplay,
                    order.ToString(CultureInfo.InvariantCulture)));
                valid = false;
                continue;
            }
            for (; expected < order; expected++)
            {
                diagnostics.Add(Diagnostic(
                    DiagnosticDescriptors.MissingOrder,
                    FirstLocation(symbol),
                    typeDisplay,
                    expected.ToString(CultureInfo.InvariantCulture)));
                valid = false;
            }
            expected = order + 1;
        }

        if (!valid)
        {
            return new RlpParseResult(null, diagnostics.ToEquatableArray());
        }

        List<TypeDeclarationModel> containingTypes = [];
        for (INamedTypeSymbol? container = type.ContainingType; container is not null; container = container.ContainingType)
        {
            containingTypes.Insert(0, DeclarationOf(container));
        }

        // Valid means every member has a shape.
        List<RlpMemberModel> memberModels = new(members.Count);
        foreach ((ISymbol symbol, int order, _, RlpShape? shape) in members)
        {
            memberModels.Add(new RlpMemberModel(EscapeIdentifier(symbol.Name), symbol.Name, order, shape!));
        }

        RlpTypeModel typeModel = new(
            HintName: HintNameOf(type),
            Namespace: type.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString(QualifiedNameFormat) : null,
            ContainingTypes: containingTypes.ToEquatableArray(),
            Declaration: DeclarationOf(type),
            ReadOnlyMembers: readOnlyMembers,
            Members: memberModels.ToEquatableArray());
        return new RlpParseResult(typeModel, diagnostics.ToEquatableArray());
    }

    /// <summary>How <paramref name="type"/> encodes, or null when it has no RLP encoding.</summary>
    private static RlpShape? Classify(ITypeSymbol type)
    {
        string name = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        if (ScalarTypeNames.Contains(name))
        {
            return new RlpShape(RlpShapeKind.Scalar, name, null);
        }

        if (type is not INamedTypeSymbol named || named.TypeKind != TypeKind.Struct)
        {
            return null;
        }

        if (named.IsGenericType && named.OriginalDefinition.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) == ReadOnlyMemoryOfT)
        {
            RlpShape? element = Classify(named.TypeArguments[0]);
            return element is null ? null : new RlpShape(RlpShapeKind.List, name, element);
        }

        if (FindAttribute(named.GetAttributes(), SerializableAttributeName) is not null)
        {
            return new RlpShape(RlpShapeKind.Serializable, name, null);
        }

        return null;
    }

    private static Location? FirstLocation(ISymbol symbol) => symbol.Locations.Length > 0 ? symbol.Locations[0] : null;

    private static bool ContainsErrorType(ITypeSymbol type)
    {
        if (type.TypeKind == TypeKind.Error) return true;
        if (type is INamedTypeSymbol named)
        {
            foreach (ITypeSymbol argument in named.TypeArguments)
            {
                if (ContainsErrorType(argument)) return true;
            }
        }
        return false;
    }

    private static AttributeData? FindAttribute(ImmutableArray<AttributeData> attributes, string metadataName)
    {
        foreach (AttributeData attribute in attributes)
        {
            if (attribute.AttributeClass is { } attributeClass && attributeClass.ToDisplayString() == metadataName)
            {
                return attribute;
            }
        }
        return null;
    }

    private static bool IsFirstSerializableAttribute(INamedTypeSymbol type, ImmutableArray<AttributeData> onThisDeclaration)
    {
        AttributeData? first = FindAttribute(type.GetAttributes(), SerializableAttributeName);
        SyntaxReference? firstSyntax = first?.ApplicationSyntaxReference;
        SyntaxReference? thisSyntax = onThisDeclaration.Length > 0 ? onThisDeclaration[0].ApplicationSyntaxReference : null;
        if (firstSyntax is null || thisSyntax is null) return true;
        return firstSyntax.SyntaxTree == thisSyntax.SyntaxTree && firstSyntax.Span == thisSyntax.Span;
    }

    private static TypeDeclarationModel DeclarationOf(INamedTypeSymbol type)
    {
        string keyword = type.TypeKind switch
        {
            TypeKind.Interface => "interface",
            TypeKind.Struct => type.IsRecord ? "record struct" : "struct",
            _ => type.IsRecord ? "record" : "class",
        };

        string typeParameters = string.Empty;
        if (type.TypeParameters.Length > 0)
        {
            StringBuilder builder = new("<");
            for (int i = 0; i < type.TypeParameters.Length; i++)
            {
                if (i > 0) builder.Append(", ");
                builder.Append(EscapeIdentifier(type.TypeParameters[i].Name));
            }
            typeParameters = builder.Append('>').ToString();
        }

        return new TypeDeclarationModel(keyword, EscapeIdentifier(type.Name), typeParameters);
    }

    /// <summary><c>Namespace.Outer.Inner.Rlp.g.cs</c>; generic arity as <c>`N</c> so the name stays a valid, unique file name.</summary>
    private static string HintNameOf(INamedTypeSymbol type)
    {
        StringBuilder builder = new();
        AppendHintName(builder, type);
        return builder.Append(".Rlp.g.cs").ToString();
    }

    private static void AppendHintName(StringBuilder builder, INamedTypeSymbol type)
    {
        if (type.ContainingType is { } container)
        {
            AppendHintName(builder, container);
            builder.Append('.');
        }
        else if (type.ContainingNamespace is { IsGlobalNamespace: false } ns)
        {
            builder.Append(ns.ToDisplayString()).Append('.');
        }
        builder.Append(type.Name);
        if (type.Arity > 0) builder.Append('`').Append(type.Arity.ToString(CultureInfo.InvariantCulture));
    }

    private static string EscapeIdentifier(string name) =>
        SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

    private static DiagnosticInfo Diagnostic(DiagnosticDescriptor descriptor, Location? location, params string[] messageArgs) =>
        new(descriptor, LocationInfo.From(location), new EquatableArray<string>(messageArgs));
}
