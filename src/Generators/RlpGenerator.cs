using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace FastLoad.Generators;

/// <summary>
/// Emits RLP encoders for <c>[RlpSerializable]</c> partial structs: <c>GetRlpContentLength()</c>,
/// <c>GetRlpLength()</c>, <c>EncodeRlpContent&lt;TWriter&gt;</c> and <c>EncodeRlp&lt;TWriter&gt;</c>.
/// The pipeline turns each attributed struct into a plain equatable model
/// (<see cref="TrackingNames.Model"/>), then emits the types without errors and reports the diagnostics
/// of the others, so an edit elsewhere in the compilation re-emits nothing.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed partial class RlpGenerator : IIncrementalGenerator
{
    internal const string SerializableAttributeName = "FastLoad.Engine.Rlp.RlpSerializableAttribute";
    internal const string FieldAttributeName = "FastLoad.Engine.Rlp.RlpFieldAttribute";

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<RlpParseResult> results = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                SerializableAttributeName,
                static (node, _) => node.IsKind(SyntaxKind.StructDeclaration) || node.IsKind(SyntaxKind.RecordStructDeclaration),
                static (attributeContext, cancellationToken) => Parse(attributeContext, cancellationToken))
            .WithTrackingName(TrackingNames.Model);

        IncrementalValuesProvider<RlpTypeModel> types = results
            .Where(static result => result.Type is not null)
            .Select(static (result, _) => result.Type!)
            .WithTrackingName(TrackingNames.Types);

        IncrementalValuesProvider<EquatableArray<DiagnosticInfo>> diagnostics = results
            .Where(static result => !result.Diagnostics.IsEmpty)
            .Select(static (result, _) => result.Diagnostics)
            .WithTrackingName(TrackingNames.Diagnostics);

        context.RegisterSourceOutput(types, static (output, type) =>
            output.AddSource(type.HintName, SourceText.From(Emit(type), Encoding.UTF8)));

        context.RegisterSourceOutput(diagnostics, static (output, infos) =>
        {
            foreach (DiagnosticInfo info in infos)
            {
                output.ReportDiagnostic(info.ToDiagnostic());
            }
        });
    }
}
