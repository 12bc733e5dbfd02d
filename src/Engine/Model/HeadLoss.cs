using System.Numerics;
using System.Numerics.Tensors;

namespace SimdRnn.Model;

/// <summary>
/// The loss each head trains with, and its gradient with respect to the head's outputs. A classifying head
/// (classify, tag) uses softmax cross-entropy per prediction; a regression head (regress, regress-steps) the
/// squared error per value. The training loss is the mean over the batch's loss terms
/// (<see cref="TermsPerSequence"/>): predictions for classification, predicted values for regression, as
/// PyTorch's <c>CrossEntropyLoss</c> and <c>MSELoss</c> with mean reduction.
/// </summary>
public static class HeadLoss
{
    /// <summary>Loss terms one sequence contributes: its predictions (1 or T), times K for regression.</summary>
    public static int TermsPerSequence(Head head, int steps) =>
        head.PredictionsPerSequence(steps) * (head.Classifies ? 1 : head.Outputs);

    /// <summary>-log softmax(logits)[label], as log-sum-exp minus the label's logit: no overflow, no log of 0.</summary>
    public static T CrossEntropy<T>(ReadOnlySpan<T> logits, int label) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T max = TensorPrimitives.Max(logits);
        T sum = T.Zero;
        foreach (var value in logits) sum += T.Exp(value - max);
        return max + T.Log(sum) - logits[label];
    }

    /// <summary>
    /// The summed loss of <paramref name="predictions"/> rows of <paramref name="outputs"/> [P, O] against
    /// <paramref name="labels"/> [P] (classifying heads) or <paramref name="targets"/> [P, O] (regression), and
    /// into <paramref name="dOutputs"/> (=) the gradient of <paramref name="scale"/> times that sum.
    /// </summary>
    public static double Apply<T>(Head head, int predictions, ReadOnlySpan<T> outputs, ReadOnlySpan<int> labels, ReadOnlySpan<T> targets, T scale, Span<T> dOutputs)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int width = head.Outputs;
        double loss = 0;
        if (head.Classifies)
        {
            for (int p = 0; p < predictions; p++)
            {
                var row = outputs.Slice(p * width, width);
                var gradient = dOutputs.Slice(p * width, width);
                int label = labels[p];
                loss += double.CreateTruncating(CrossEntropy(row, label));

                // d(loss)/d(logits) = softmax - onehot
                TensorPrimitives.SoftMax(row, gradient);
                gradient[label] -= T.One;
                TensorPrimitives.Multiply(gradient, scale, gradient);
            }
        }
        else
        {
            int length = predictions * width;
            var difference = dOutputs[..length];
            TensorPrimitives.Subtract(outputs[..length], targets[..length], difference);
            loss = double.CreateTruncating(TensorPrimitives.Dot<T>(difference, difference));

            // d(sum (y - t)^2)/dy = 2 (y - t)
            TensorPrimitives.Multiply(difference, scale + scale, difference);
        }

        return loss;
    }
}
