using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Simplification;
using PromptOps.Analyzers.Rules;

namespace PromptOps.CodeFixes
{
    /// <summary>
    /// PO0002 fix: add the output-token limit the analyzer suggests (from the prompt's own words, else
    /// <c>promptops.default_max_output_tokens</c>) — to the options' initializer (inline, a local's or a field's creation),
    /// as a new <c>options:</c> argument, in place of <c>null</c>, as <c>MaxTokens</c> on <c>[Prompt]</c>, or, for the OpenAI
    /// SDK's <c>CompleteChat(params ChatMessage[])</c>, by moving the messages into a collection and passing options; or, for
    /// Anthropic's required <c>MaxTokens</c> set far above what the prompt asks for, the suggested value in its place.
    /// The options argument is found by its parameter, never by position. New list items follow the list's layout: on a
    /// line of their own with the same indentation when the items are one a line, on the same line otherwise. Fix All
    /// rewrites a document in one pass, so an options object shared by several calls gets the limit once (the largest
    /// suggested).
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddOutputLimitCodeFix)), Shared]
    public sealed class AddOutputLimitCodeFix : CodeFixProvider
    {
        /// <summary>The equivalence key (Fix All groups by it).</summary>
        public const string EquivalenceKey = "PO0002.AddOutputLimit";

        /// <inheritdoc />
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create("PO0002");

        /// <inheritdoc />
        public override FixAllProvider GetFixAllProvider() =>
            FixAllProvider.Create((context, document, diagnostics) => FixAsync(document, diagnostics, context.CancellationToken)!);

        /// <inheritdoc />
        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            if (root is null) return;
            foreach (var diagnostic in context.Diagnostics)
            {
                if (!diagnostic.Properties.TryGetValue(MissingOutputLimitAnalyzer.KindKey, out var kind) || kind == MissingOutputLimitAnalyzer.KindNone) continue;
                if (diagnostic.AdditionalLocations.Any(l => l.SourceTree != root.SyntaxTree)) continue; // the creation is in another file
                var property = diagnostic.Properties[MissingOutputLimitAnalyzer.PropertyKey]!;
                var suggested = diagnostic.Properties[MissingOutputLimitAnalyzer.SuggestedKey]!;
                var title = kind == MissingOutputLimitAnalyzer.KindReplaceValue ? $"Set {property} = {suggested}" : $"Add {property} = {suggested}";
                if (diagnostic.Properties.TryGetValue(MissingOutputLimitAnalyzer.ReasonKey, out var reason) && reason is not null) title += $" ({reason})";
                context.RegisterCodeFix(
                    CodeAction.Create(title, ct => FixAsync(context.Document, new[] { diagnostic }, ct), EquivalenceKey),
                    diagnostic);
            }
        }

        private static async Task<Document> FixAsync(Document document, IEnumerable<Diagnostic> diagnostics, CancellationToken ct)
        {
            var root = await document.GetSyntaxRootAsync(ct).ConfigureAwait(false);
            var model = await document.GetSemanticModelAsync(ct).ConfigureAwait(false);
            if (root is null || model is null) return document;
            var csharp12 = root.SyntaxTree.Options is CSharpParseOptions { LanguageVersion: >= LanguageVersion.CSharp12 };
            var newLine = root.DescendantTrivia().FirstOrDefault(t => t.IsKind(SyntaxKind.EndOfLineTrivia));
            var eol = newLine.IsKind(SyntaxKind.EndOfLineTrivia) ? newLine : SyntaxFactory.EndOfLine(Environment.NewLine);

            // Every edit is keyed by the node it rewrites and applied to that node's rewritten form, so nested and shared
            // targets (one options object behind several calls) compose; an initializer edit keeps the largest limit.
            var edits = new Dictionary<SyntaxNode, Func<SyntaxNode, SyntaxNode>>();
            var initializerLimits = new Dictionary<SyntaxNode, (string Property, int Limit)>();
            foreach (var diagnostic in diagnostics)
            {
                if (!diagnostic.Properties.TryGetValue(MissingOutputLimitAnalyzer.KindKey, out var kind)) continue;
                var property = diagnostic.Properties[MissingOutputLimitAnalyzer.PropertyKey]!;
                var limit = int.Parse(diagnostic.Properties[MissingOutputLimitAnalyzer.SuggestedKey]!, CultureInfo.InvariantCulture);
                var node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
                void AddToInitializer(SyntaxNode? creation)
                {
                    if (creation is not BaseObjectCreationExpressionSyntax) return;
                    initializerLimits[creation] = initializerLimits.TryGetValue(creation, out var known) ? (property, Math.Max(known.Limit, limit)) : (property, limit);
                }

                if (kind == MissingOutputLimitAnalyzer.KindPrompt)
                {
                    if (node.FirstAncestorOrSelf<AttributeSyntax>() is { } attribute)
                    {
                        edits[attribute] = current => AddAttributeArgument((AttributeSyntax)current, property, limit, eol);
                    }

                    continue;
                }

                if (kind == MissingOutputLimitAnalyzer.KindReplaceValue)
                {
                    // Anthropic's required MaxTokens, far above what the prompt asks for: the suggested value in its place.
                    if (node is ExpressionSyntax value)
                    {
                        edits[value] = current => SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(limit)).WithTriviaFrom(current);
                    }

                    continue;
                }

                if (kind == MissingOutputLimitAnalyzer.KindLocal || kind == MissingOutputLimitAnalyzer.KindField)
                {
                    foreach (var location in diagnostic.AdditionalLocations)
                    {
                        if (location.SourceTree == root.SyntaxTree) AddToInitializer(root.FindNode(location.SourceSpan, getInnermostNodeForTie: true));
                    }

                    continue;
                }

                if (node.FirstAncestorOrSelf<InvocationExpressionSyntax>() is not { } invocation
                    || model.GetOperation(invocation, ct) is not IInvocationOperation operation) continue;
                var optionsType = model.Compilation.GetTypeByMetadataName(diagnostic.Properties[MissingOutputLimitAnalyzer.OptionsTypeKey]!);
                if (optionsType is null) continue;
                // The type to create when it is not the parameter's (Semantic Kernel: OpenAIPromptExecutionSettings for a PromptExecutionSettings).
                var createType = diagnostic.Properties.TryGetValue(MissingOutputLimitAnalyzer.CreateTypeKey, out var created) && created is not null
                    ? model.Compilation.GetTypeByMetadataName(created) ?? optionsType
                    : optionsType;
                var optionsArgument = operation.Arguments.FirstOrDefault(a => a.Parameter is not null && SymbolEqualityComparer.Default.Equals(a.Parameter.Type, optionsType));
                switch (kind)
                {
                    case MissingOutputLimitAnalyzer.KindAddArgument when optionsArgument?.Parameter is { } parameter:
                    {
                        var name = parameter.Name;
                        edits[invocation] = current =>
                        {
                            var call = (InvocationExpressionSyntax)current;
                            var argument = SyntaxFactory.Argument(SyntaxFactory.NameColon(name).WithTrailingTrivia(SyntaxFactory.Space), default, NewOptions(createType, property, limit));
                            return call.WithArgumentList(call.ArgumentList.WithArguments(Append(call.ArgumentList.Arguments, argument, eol)));
                        };
                        break;
                    }

                    case MissingOutputLimitAnalyzer.KindReplaceArgument when optionsArgument?.Syntax is ArgumentSyntax replaced:
                    {
                        var index = invocation.ArgumentList.Arguments.IndexOf(replaced);
                        edits[invocation] = current =>
                        {
                            var call = (InvocationExpressionSyntax)current;
                            var argument = call.ArgumentList.Arguments[index];
                            return call.ReplaceNode(argument, argument.WithExpression(NewOptions(createType, property, limit).WithTriviaFrom(argument.Expression)));
                        };
                        break;
                    }

                    case MissingOutputLimitAnalyzer.KindInitializer:
                        AddToInitializer((optionsArgument?.Syntax as ArgumentSyntax)?.Expression);
                        break;
                    case MissingOutputLimitAnalyzer.KindParams:
                    {
                        var paramsParameter = operation.TargetMethod.Parameters.LastOrDefault();
                        if (paramsParameter is not { IsParams: true, Type: IArrayTypeSymbol array }) break;
                        var messages = operation.Arguments.FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.Parameter, paramsParameter));
                        if (messages is null) break;
                        var list = invocation.ArgumentList.Arguments;
                        var first = messages.ArgumentKind == ArgumentKind.ParamArray
                            ? list.IndexOf(a => a.NameColon is null && a.SpanStart >= messages.Syntax.SpanStart)
                            : list.IndexOf((ArgumentSyntax)messages.Syntax);
                        if (first < 0 || list.Skip(first).Any(a => a.NameColon is not null)) break;
                        var expanded = messages.ArgumentKind == ArgumentKind.ParamArray;
                        var elementType = array.ElementType;
                        edits[invocation] = current =>
                        {
                            var call = (InvocationExpressionSyntax)current;
                            var arguments = call.ArgumentList.Arguments;
                            var onOwnLine = StartsLine(arguments[arguments.Count - 1]); // the layout of the arguments as written
                            if (expanded) arguments = WrapInCollection(arguments, first, elementType, csharp12, eol);
                            var options = SyntaxFactory.Argument(NewOptions(createType, property, limit));
                            return call.WithArgumentList(call.ArgumentList.WithArguments(Append(arguments, options, eol, onOwnLine)));
                        };
                        break;
                    }
                }
            }

            foreach (var pair in initializerLimits)
            {
                var (property, limit) = pair.Value;
                edits[pair.Key] = current => AddToInitializer((BaseObjectCreationExpressionSyntax)current, property, limit, eol);
            }

            if (edits.Count == 0) return document;
            var newRoot = root.ReplaceNodes(edits.Keys, (original, current) => edits[original](current));
            var updated = document.WithSyntaxRoot(newRoot);
            // The trivia of what is inserted is explicit, taken from the list it joins (the formatter does not choose between
            // "one item a line" and "same line", nor move a comma across a line break); only the type names are simplified.
            return await Simplifier.ReduceAsync(updated, Simplifier.Annotation, cancellationToken: ct).ConfigureAwait(false);
        }

        /// <summary><c>new global::T() { Property = limit }</c>, the type reduced by the simplifier.</summary>
        private static ObjectCreationExpressionSyntax NewOptions(INamedTypeSymbol optionsType, string property, int limit)
        {
            var creation = (ObjectCreationExpressionSyntax)SyntaxFactory.ParseExpression(
                "new global::" + optionsType.ToDisplayString() + "() { " + property + " = " + limit.ToString(CultureInfo.InvariantCulture) + " }");
            return creation.WithType(creation.Type.WithAdditionalAnnotations(Simplifier.Annotation));
        }

        private static ExpressionSyntax Assignment(string property, int limit) =>
            SyntaxFactory.ParseExpression(property + " = " + limit.ToString(CultureInfo.InvariantCulture));

        private static BaseObjectCreationExpressionSyntax AddToInitializer(BaseObjectCreationExpressionSyntax creation, string property, int limit, SyntaxTrivia eol)
        {
            if (creation.Initializer is { } initializer)
            {
                if (initializer.Expressions.Any(e => e is AssignmentExpressionSyntax { Left: IdentifierNameSyntax name } && name.Identifier.ValueText == property)) return creation;
                if (initializer.Expressions.Count == 0)
                {
                    var empty = initializer.WithExpressions(SyntaxFactory.SingletonSeparatedList(Assignment(property, limit).WithLeadingTrivia(SyntaxFactory.Space).WithTrailingTrivia(SyntaxFactory.Space)))
                        .WithOpenBraceToken(initializer.OpenBraceToken.WithTrailingTrivia())
                        .WithCloseBraceToken(initializer.CloseBraceToken.WithLeadingTrivia());
                    return creation.WithInitializer(empty);
                }

                return creation.WithInitializer(initializer.WithExpressions(Append(initializer.Expressions, Assignment(property, limit), eol)));
            }

            // new ChatOptions() → new ChatOptions() { MaxOutputTokens = 500 }, the creation's trailing trivia kept after it.
            var trailing = creation.GetTrailingTrivia();
            var bare = creation.WithoutTrailingTrivia();
            if (bare is ObjectCreationExpressionSyntax { ArgumentList: null } withoutParentheses)
            {
                bare = withoutParentheses.WithType(withoutParentheses.Type.WithoutTrailingTrivia()).WithArgumentList(SyntaxFactory.ArgumentList());
            }

            var added = SyntaxFactory.InitializerExpression(SyntaxKind.ObjectInitializerExpression,
                SyntaxFactory.Token(SyntaxFactory.TriviaList(SyntaxFactory.Space), SyntaxKind.OpenBraceToken, SyntaxFactory.TriviaList(SyntaxFactory.Space)),
                SyntaxFactory.SingletonSeparatedList(Assignment(property, limit)),
                SyntaxFactory.Token(SyntaxFactory.TriviaList(SyntaxFactory.Space), SyntaxKind.CloseBraceToken, SyntaxFactory.TriviaList()));
            return bare.WithInitializer(added).WithTrailingTrivia(trailing);
        }

        private static AttributeSyntax AddAttributeArgument(AttributeSyntax attribute, string property, int limit, SyntaxTrivia eol)
        {
            var argument = SyntaxFactory.AttributeArgument(
                SyntaxFactory.NameEquals(SyntaxFactory.IdentifierName(property).WithTrailingTrivia(SyntaxFactory.Space)).WithTrailingTrivia(SyntaxFactory.Space), null,
                SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(limit)));
            var list = attribute.ArgumentList ?? SyntaxFactory.AttributeArgumentList();
            return attribute.WithArgumentList(list.WithArguments(Append(list.Arguments, argument, eol)));
        }

        /// <summary>
        /// Appends an item to a comma-separated list the way its items are laid out: when the last item starts a line, the
        /// new one starts a line with the same indentation (the comma stays after the last item, a trailing comma stays
        /// trailing); otherwise it follows on the same line after ", ".
        /// </summary>
        internal static SeparatedSyntaxList<T> Append<T>(SeparatedSyntaxList<T> list, T item, SyntaxTrivia eol, bool? startsLine = null)
            where T : SyntaxNode
        {
            if (list.Count == 0) return SyntaxFactory.SingletonSeparatedList(item);
            var last = list[list.Count - 1];
            var onOwnLine = startsLine ?? StartsLine(last);
            var items = new List<SyntaxNodeOrToken>();
            foreach (var element in list.GetWithSeparators()) items.Add(element);
            if (list.SeparatorCount == list.Count)
            {
                // A trailing comma: the new item goes after it and gets one of its own.
                var trailingComma = list.GetSeparator(list.SeparatorCount - 1);
                items.Add(onOwnLine ? item.WithLeadingTrivia(Indentation(last)) : item.WithoutLeadingTrivia());
                items.Add(SyntaxFactory.Token(SyntaxFactory.TriviaList(), SyntaxKind.CommaToken, trailingComma.TrailingTrivia));
                if (!onOwnLine) items[items.Count - 3] = trailingComma.WithTrailingTrivia(SyntaxFactory.Space);
                return SyntaxFactory.SeparatedList<T>(items);
            }

            var trailing = last.GetTrailingTrivia();
            items[items.Count - 1] = last.WithoutTrailingTrivia();
            if (!onOwnLine)
            {
                items.Add(SyntaxFactory.Token(SyntaxFactory.TriviaList(), SyntaxKind.CommaToken, SyntaxFactory.TriviaList(SyntaxFactory.Space)));
                items.Add(item.WithoutLeadingTrivia().WithTrailingTrivia(trailing));
                return SyntaxFactory.SeparatedList<T>(items);
            }

            // One item a line: "last, // comment⏎    item⏎" — what followed the last item on its line stays on that line.
            var lineEnd = trailing.IndexOf(SyntaxKind.EndOfLineTrivia);
            var beforeEnd = lineEnd < 0 ? trailing : SyntaxFactory.TriviaList(trailing.Take(lineEnd));
            var fromEnd = lineEnd < 0 ? SyntaxFactory.TriviaList() : SyntaxFactory.TriviaList(trailing.Skip(lineEnd + 1));
            var lineBreak = lineEnd < 0 ? eol : trailing[lineEnd];
            var commaTrivia = SyntaxFactory.TriviaList(beforeEnd.Concat(new[] { lineBreak }));
            items.Add(SyntaxFactory.Token(SyntaxFactory.TriviaList(), SyntaxKind.CommaToken, commaTrivia));
            items.Add(item.WithLeadingTrivia(Indentation(last)).WithTrailingTrivia(lineEnd < 0 ? SyntaxFactory.TriviaList() : SyntaxFactory.TriviaList(new[] { lineBreak }.Concat(fromEnd))));
            return SyntaxFactory.SeparatedList<T>(items);
        }

        /// <summary>
        /// The expanded params arguments from <paramref name="first"/> on, as one collection (<c>[a, b]</c> from C# 12, else
        /// <c>new T[] { a, b }</c>); one element a line when the arguments were one a line.
        /// </summary>
        private static SeparatedSyntaxList<ArgumentSyntax> WrapInCollection(SeparatedSyntaxList<ArgumentSyntax> arguments, int first, ITypeSymbol elementType, bool csharp12, SyntaxTrivia eol)
        {
            var elements = arguments.Skip(first).ToList();
            var onOwnLine = StartsLine(elements[elements.Count - 1]);
            var indentation = Indentation(elements[0]);
            var inner = SyntaxFactory.TriviaList(indentation.Concat(new[] { IndentUnit(indentation) }));
            var lastTrailing = elements[elements.Count - 1].GetTrailingTrivia();
            var nodes = new List<SyntaxNodeOrToken>();
            for (var i = 0; i < elements.Count; i++)
            {
                var expression = elements[i].Expression;
                if (onOwnLine)
                {
                    // One element a line, each followed by a comma and what followed it on its line (a comment), comments
                    // above an element kept above it.
                    var isLast = i == elements.Count - 1;
                    var trailing = expression.GetTrailingTrivia();
                    var afterComma = isLast
                        ? SyntaxFactory.TriviaList(trailing.TakeWhile(t => !t.IsKind(SyntaxKind.EndOfLineTrivia)))
                        : arguments.GetSeparator(first + i).TrailingTrivia;
                    if (!afterComma.Any(SyntaxKind.EndOfLineTrivia))
                    {
                        afterComma = HasComment(afterComma) ? afterComma.Add(eol) : SyntaxFactory.TriviaList(eol);
                    }

                    nodes.Add(expression.WithLeadingTrivia(Reindent(expression.GetLeadingTrivia(), inner)).WithTrailingTrivia(isLast ? default : Comments(trailing)));
                    nodes.Add(SyntaxFactory.Token(SyntaxFactory.TriviaList(), SyntaxKind.CommaToken, afterComma));
                }
                else
                {
                    nodes.Add(i == 0 ? expression.WithoutLeadingTrivia() : expression);
                    if (i < elements.Count - 1) nodes.Add(arguments.GetSeparator(first + i));
                }
            }

            if (!onOwnLine) nodes[nodes.Count - 1] = ((ExpressionSyntax)nodes[nodes.Count - 1].AsNode()!).WithoutTrailingTrivia();
            var open = onOwnLine ? SyntaxFactory.TriviaList(eol) : SyntaxFactory.TriviaList();
            var close = onOwnLine ? indentation : SyntaxFactory.TriviaList();
            ExpressionSyntax collection;
            if (csharp12)
            {
                collection = SyntaxFactory.CollectionExpression(
                    SyntaxFactory.Token(SyntaxFactory.TriviaList(), SyntaxKind.OpenBracketToken, open),
                    SyntaxFactory.SeparatedList<CollectionElementSyntax>(nodes.Select(n => n.IsNode ? (SyntaxNodeOrToken)SyntaxFactory.ExpressionElement((ExpressionSyntax)n.AsNode()!) : n)),
                    SyntaxFactory.Token(close, SyntaxKind.CloseBracketToken, SyntaxFactory.TriviaList()));
            }
            else
            {
                var type = (ArrayTypeSyntax)SyntaxFactory.ParseTypeName("global::" + elementType.ToDisplayString() + "[]");
                var openBrace = onOwnLine
                    ? SyntaxFactory.Token(SyntaxFactory.TriviaList(eol).AddRange(indentation), SyntaxKind.OpenBraceToken, SyntaxFactory.TriviaList(eol))
                    : SyntaxFactory.Token(SyntaxFactory.TriviaList(SyntaxFactory.Space), SyntaxKind.OpenBraceToken, SyntaxFactory.TriviaList(SyntaxFactory.Space));
                var closeBrace = SyntaxFactory.Token(onOwnLine ? close : SyntaxFactory.TriviaList(SyntaxFactory.Space), SyntaxKind.CloseBraceToken, SyntaxFactory.TriviaList());
                collection = SyntaxFactory.ArrayCreationExpression(
                    SyntaxFactory.Token(SyntaxFactory.TriviaList(), SyntaxKind.NewKeyword, SyntaxFactory.TriviaList(SyntaxFactory.Space)),
                    type.WithElementType(type.ElementType.WithAdditionalAnnotations(Simplifier.Annotation)),
                    SyntaxFactory.InitializerExpression(SyntaxKind.ArrayInitializerExpression, openBrace, SyntaxFactory.SeparatedList<ExpressionSyntax>(nodes), closeBrace));
            }

            // Multi-line: what followed the last element on its line went after its comma; the line break stays after "]".
            var afterCollection = onOwnLine ? SyntaxFactory.TriviaList(lastTrailing.SkipWhile(t => !t.IsKind(SyntaxKind.EndOfLineTrivia))) : lastTrailing;
            var leading = onOwnLine ? indentation : elements[0].GetLeadingTrivia();
            var wrapped = SyntaxFactory.Argument(collection.WithLeadingTrivia(leading).WithTrailingTrivia(afterCollection));
            var result = new List<SyntaxNodeOrToken>();
            for (var i = 0; i < first; i++)
            {
                result.Add(arguments[i]);
                result.Add(arguments.GetSeparator(i));
            }

            result.Add(wrapped);
            return SyntaxFactory.SeparatedList<ArgumentSyntax>(result);
        }

        /// <summary>True when the node is the first thing on its line (a line break before it, in its trivia or the previous token's).</summary>
        private static bool StartsLine(SyntaxNode node)
        {
            if (node.GetLeadingTrivia().Any(SyntaxKind.EndOfLineTrivia)) return true;
            var previous = node.GetFirstToken().GetPreviousToken();
            return previous.TrailingTrivia.Any(SyntaxKind.EndOfLineTrivia);
        }

        /// <summary>The whitespace that starts the node's line (its leading trivia after the last line break).</summary>
        private static SyntaxTriviaList Indentation(SyntaxNode node)
        {
            var leading = node.GetLeadingTrivia();
            var start = 0;
            for (var i = 0; i < leading.Count; i++)
            {
                if (leading[i].IsKind(SyntaxKind.EndOfLineTrivia)) start = i + 1;
            }

            return SyntaxFactory.TriviaList(leading.Skip(start).Where(t => t.IsKind(SyntaxKind.WhitespaceTrivia)));
        }

        /// <summary>The trivia with every line's indentation replaced by <paramref name="indentation"/> (comments kept on their lines).</summary>
        private static SyntaxTriviaList Reindent(SyntaxTriviaList leading, SyntaxTriviaList indentation)
        {
            var result = new List<SyntaxTrivia>();
            var atLineStart = true;
            foreach (var trivia in leading)
            {
                if (atLineStart)
                {
                    result.AddRange(indentation);
                    atLineStart = false;
                    if (trivia.IsKind(SyntaxKind.WhitespaceTrivia)) continue;
                }

                result.Add(trivia);
                atLineStart = trivia.IsKind(SyntaxKind.EndOfLineTrivia);
            }

            if (atLineStart) result.AddRange(indentation);
            return SyntaxFactory.TriviaList(result);
        }

        private static bool HasComment(SyntaxTriviaList trivia) =>
            trivia.Any(SyntaxKind.SingleLineCommentTrivia) || trivia.Any(SyntaxKind.MultiLineCommentTrivia);

        private static SyntaxTrivia IndentUnit(SyntaxTriviaList indentation) =>
            SyntaxFactory.Whitespace(indentation.ToFullString().IndexOf('\t') >= 0 ? "\t" : "    ");

        private static SyntaxTriviaList Comments(SyntaxTriviaList trivia) =>
            SyntaxFactory.TriviaList(trivia.Where(t => !t.IsKind(SyntaxKind.EndOfLineTrivia)));
    }
}
