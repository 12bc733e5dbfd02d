/*
 * classify: the C interface end to end. Loads a model, classifies the sequences of a raw little-endian float32
 * file (count x T x I values) as one batch with simdrnn_predict, then again one time step at a time with
 * simdrnn_step, and prints one line per sequence:
 *
 *     <index> <batch class> <stream class> <C batch probabilities>
 *
 * Also checks that a missing file is reported as a code and a message. Exit code 0 on success.
 *
 *     gcc -O2 -Wall -Wextra -Werror -Iinclude tests/native/classify.c -L<publish dir> -lsimdrnn \
 *         -Wl,-rpath,<publish dir> -o classify
 *     ./classify model.safetensors digits.f32
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simdrnn.h"

static int fail(const char *what, int status)
{
    fprintf(stderr, "classify: %s failed with %d: %s\n", what, status, simdrnn_last_error());
    return 1;
}

static int argmax(const float *values, int count)
{
    int best = 0;
    for (int i = 1; i < count; i++)
        if (values[i] > values[best]) best = i;
    return best;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: classify MODEL SEQUENCES.f32\n");
        return 2;
    }

    simdrnn_model *missing = (simdrnn_model *)1;
    int status = simdrnn_load("/nonexistent/model.safetensors", &missing);
    if (status != SIMDRNN_ERROR_FILE_NOT_FOUND || missing != NULL || strlen(simdrnn_last_error()) == 0) {
        fprintf(stderr, "classify: a missing file gave status %d, message '%s'\n", status, simdrnn_last_error());
        return 1;
    }
    printf("simdrnn %s\n", simdrnn_version());
    printf("missing file: %d %s\n", status, simdrnn_last_error());

    simdrnn_model *model;
    if ((status = simdrnn_load(argv[1], &model)) != SIMDRNN_OK) return fail("simdrnn_load", status);
    int steps, inputs, classes;
    if ((status = simdrnn_model_info(model, &steps, &inputs, &classes)) != SIMDRNN_OK) return fail("simdrnn_model_info", status);
    int head = -1, per_sequence = 0;
    if ((status = simdrnn_model_head(model, &head, &per_sequence)) != SIMDRNN_OK) return fail("simdrnn_model_head", status);
    if (head != SIMDRNN_HEAD_CLASSIFY || per_sequence != classes) {
        fprintf(stderr, "expected a last-step classifier of %d classes, found head %d with %d outputs per sequence\n", classes, head, per_sequence);
        return 1;
    }

    FILE *file = fopen(argv[2], "rb");
    if (file == NULL) {
        perror(argv[2]);
        return 1;
    }
    fseek(file, 0, SEEK_END);
    long bytes = ftell(file);
    fseek(file, 0, SEEK_SET);
    size_t length = (size_t)steps * (size_t)inputs;
    int count = (int)((size_t)bytes / sizeof(float) / length);
    float *sequences = malloc((size_t)count * length * sizeof(float));
    if (count == 0 || sequences == NULL || fread(sequences, sizeof(float), (size_t)count * length, file) != (size_t)count * length) {
        fprintf(stderr, "classify: expected whole sequences of %d x %d floats in %s\n", steps, inputs, argv[2]);
        return 1;
    }
    fclose(file);

    const int max_batch = 4;
    int64_t session_bytes;
    if ((status = simdrnn_session_bytes(model, max_batch, &session_bytes)) != SIMDRNN_OK) return fail("simdrnn_session_bytes", status);
    simdrnn_session *session;
    if ((status = simdrnn_session_create(model, max_batch, &session)) != SIMDRNN_OK) return fail("simdrnn_session_create", status);
    printf("model: %d steps x %d inputs, %d classes; session of %d: %lld bytes\n", steps, inputs, classes, max_batch, (long long)session_bytes);

    float *probabilities = malloc((size_t)count * (size_t)classes * sizeof(float));
    float *streamed = malloc((size_t)classes * sizeof(float));
    if ((status = simdrnn_predict(session, sequences, count, probabilities)) != SIMDRNN_OK) return fail("simdrnn_predict", status);

    for (int k = 0; k < count; k++) {
        if ((status = simdrnn_reset(session, -1)) != SIMDRNN_OK) return fail("simdrnn_reset", status);
        for (int t = 0; t < steps; t++) {
            const float *values = sequences + (size_t)k * length + (size_t)t * (size_t)inputs;
            if ((status = simdrnn_step(session, values, 1, t == steps - 1 ? streamed : NULL)) != SIMDRNN_OK) return fail("simdrnn_step", status);
        }

        const float *row = probabilities + (size_t)k * (size_t)classes;
        printf("%d %d %d", k, argmax(row, classes), argmax(streamed, classes));
        for (int c = 0; c < classes; c++) printf(" %.9g", row[c]);
        printf("\n");
    }

    /* Lengths: all T gives simdrnn_predict's probabilities; the first sequence cut to half its steps gives what
       streaming those steps gives; a length of 0 is refused. */
    int *lengths = malloc((size_t)count * sizeof(int));
    float *with_lengths = malloc((size_t)count * (size_t)classes * sizeof(float));
    for (int k = 0; k < count; k++) lengths[k] = steps;
    if ((status = simdrnn_predict_lengths(session, sequences, count, lengths, with_lengths)) != SIMDRNN_OK) return fail("simdrnn_predict_lengths", status);
    printf("lengths all T: %s\n", memcmp(with_lengths, probabilities, (size_t)count * (size_t)classes * sizeof(float)) == 0 ? "same probabilities" : "DIFFERENT probabilities");
    lengths[0] = steps / 2 > 0 ? steps / 2 : 1;
    if ((status = simdrnn_predict_lengths(session, sequences, 1, lengths, with_lengths)) != SIMDRNN_OK) return fail("simdrnn_predict_lengths", status);
    if ((status = simdrnn_reset(session, -1)) != SIMDRNN_OK) return fail("simdrnn_reset", status);
    for (int t = 0; t < lengths[0]; t++) {
        if ((status = simdrnn_step(session, sequences + (size_t)t * (size_t)inputs, 1, t == lengths[0] - 1 ? streamed : NULL)) != SIMDRNN_OK) return fail("simdrnn_step", status);
    }
    float largest = 0;
    for (int c = 0; c < classes; c++) largest = fabsf(with_lengths[c] - streamed[c]) > largest ? fabsf(with_lengths[c] - streamed[c]) : largest;
    printf("half length: %s\n", largest <= 1e-5f ? "same as streaming" : "DIFFERENT from streaming");
    lengths[0] = 0;
    status = simdrnn_predict_lengths(session, sequences, 1, lengths, with_lengths);
    printf("bad length: %d %s\n", status, simdrnn_last_error());
    free(lengths);
    free(with_lengths);

    /* A wrong argument is a code and a message, not a crash. */
    status = simdrnn_step(session, sequences, max_batch + 1, NULL);
    if (status != SIMDRNN_ERROR_INVALID_ARGUMENT || strlen(simdrnn_last_error()) == 0) {
        fprintf(stderr, "classify: too many streams gave status %d\n", status);
        return 1;
    }
    printf("too many streams: %d %s\n", status, simdrnn_last_error());
    status = simdrnn_predict(NULL, sequences, 1, probabilities);
    if (status != SIMDRNN_ERROR_INVALID_HANDLE) {
        fprintf(stderr, "classify: a NULL session gave status %d\n", status);
        return 1;
    }
    printf("null session: %d %s\n", status, simdrnn_last_error());
    simdrnn_model *garbage = (simdrnn_model *)1;
    status = simdrnn_load_memory("not a model", 11, &garbage);
    if (status != SIMDRNN_ERROR_FORMAT || garbage != NULL) {
        fprintf(stderr, "classify: bytes that are not a model gave status %d\n", status);
        return 1;
    }
    printf("not a model: %d %s\n", status, simdrnn_last_error());

    /* The same model from memory gives the same probabilities. */
    FILE *model_file = fopen(argv[1], "rb");
    if (model_file == NULL) {
        perror(argv[1]);
        return 1;
    }
    fseek(model_file, 0, SEEK_END);
    long model_bytes = ftell(model_file);
    fseek(model_file, 0, SEEK_SET);
    unsigned char *image = malloc((size_t)model_bytes);
    if (image == NULL || fread(image, 1, (size_t)model_bytes, model_file) != (size_t)model_bytes) {
        fprintf(stderr, "classify: could not read %s\n", argv[1]);
        return 1;
    }
    fclose(model_file);
    simdrnn_model *in_memory;
    if ((status = simdrnn_load_memory(image, (size_t)model_bytes, &in_memory)) != SIMDRNN_OK) return fail("simdrnn_load_memory", status);
    free(image);
    simdrnn_session *second;
    if ((status = simdrnn_session_create(in_memory, 1, &second)) != SIMDRNN_OK) return fail("simdrnn_session_create", status);
    if ((status = simdrnn_predict(second, sequences, 1, streamed)) != SIMDRNN_OK) return fail("simdrnn_predict", status);
    if (memcmp(streamed, probabilities, (size_t)classes * sizeof(float)) != 0) {
        fprintf(stderr, "classify: the model loaded from memory disagrees with the one loaded from the file\n");
        return 1;
    }
    printf("from memory: same probabilities\n");
    simdrnn_session_free(second);
    simdrnn_model_free(in_memory);

    /* A session whose model was freed reports it instead of crashing. */
    simdrnn_model_free(model);
    status = simdrnn_predict(session, sequences, 1, probabilities);
    if (status != SIMDRNN_ERROR_DISPOSED) {
        fprintf(stderr, "classify: a session of a freed model gave status %d\n", status);
        return 1;
    }
    printf("freed model: %d %s\n", status, simdrnn_last_error());
    simdrnn_session_free(session);
    free(sequences);
    free(probabilities);
    free(streamed);
    return 0;
}
