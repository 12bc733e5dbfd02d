/*
 * simdrnn.h: the C interface of SimdRnn, a recurrent-network classifier (LSTM, GRU, ...) in one shared
 * library, libsimdrnn.so, built with NativeAOT:
 *
 *     dotnet publish src/Native -c Release -r linux-x64 -p:NativeLib=Shared
 *     gcc -O2 -Iinclude app.c -Lsrc/Native/bin/Release/net10.0/linux-x64/publish -lsimdrnn -o app
 *
 * Use:
 *     simdrnn_model *model;   simdrnn_load("model.safetensors", &model);        once, shared by all threads
 *     simdrnn_session *s;     simdrnn_session_create(model, 1, &s);             one per thread
 *     simdrnn_predict(s, sequence, 1, probabilities);                           whole sequences
 *     simdrnn_step(s, values_of_one_step, 1, probabilities); simdrnn_reset(s, -1); streaming
 *     simdrnn_session_free(s); simdrnn_model_free(model);
 *
 * Shapes (from simdrnn_model_info): T steps per sequence, I values per step, O outputs per prediction. A
 * sequence is T*I floats, step t at t*I; a batch of n sequences is n*T*I floats, sequence k at k*T*I. The
 * head (simdrnn_model_head) says what the outputs are: for a classifying head (classify, tag) O class
 * probabilities (softmax, summing to 1), for a regression head (regress, regress-steps) O predicted values;
 * a last-step head gives one prediction per sequence (O floats), a per-step head one per step (T*O floats,
 * step t at t*O). "probabilities" below means these outputs.
 *
 * Errors: every function except simdrnn_version and simdrnn_last_error returns SIMDRNN_OK (0) or a
 * positive SIMDRNN_ERROR_* code, and then simdrnn_last_error() on the same thread says what went wrong in one
 * line. Nothing else crosses the boundary: no exception, no abort. Out-pointers are set to NULL on failure.
 *
 * Threads: a model is immutable and may be used by any number of threads at once; a session belongs to one
 * thread at a time. simdrnn_predict, simdrnn_step and simdrnn_reset allocate no memory: a session's memory
 * (simdrnn_session_bytes) is allocated by simdrnn_session_create.
 *
 * Handles: free each once. Freeing a model makes its sessions fail with SIMDRNN_ERROR_DISPOSED; passing a
 * handle after freeing it is undefined behaviour, as with free().
 */
#ifndef SIMDRNN_H
#define SIMDRNN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* An immutable trained network with its packed weights. */
typedef struct simdrnn_model simdrnn_model;

/* One thread's workspace over a model: up to max_batch sequences at once, and max_batch streams. */
typedef struct simdrnn_session simdrnn_session;

enum simdrnn_status {
    SIMDRNN_OK = 0,
    SIMDRNN_ERROR_INVALID_ARGUMENT = 1, /* NULL where a pointer is needed, a count out of range */
    SIMDRNN_ERROR_INVALID_HANDLE = 2,   /* NULL or the wrong kind of handle (a session for a model) */
    SIMDRNN_ERROR_FILE_NOT_FOUND = 3,   /* no such model file */
    SIMDRNN_ERROR_IO = 4,               /* the file could not be read */
    SIMDRNN_ERROR_FORMAT = 5,           /* not a model file, or one whose cell this library lacks */
    SIMDRNN_ERROR_DISPOSED = 6,         /* the session's model was freed */
    SIMDRNN_ERROR_OUT_OF_MEMORY = 7,
    SIMDRNN_ERROR_INTERNAL = 8          /* a bug: please report the message */
};

/* The library's version, e.g. "0.1.0". Static storage. */
const char *simdrnn_version(void);

/* The message of the calling thread's last failed call, "" if its last call succeeded. UTF-8, valid until the
   thread's next call into the library. */
const char *simdrnn_last_error(void);

/* Loads a model file (safetensors written by `simdrnn train --save`, or a PyTorch state_dict) into *model.
   Errors: INVALID_ARGUMENT, FILE_NOT_FOUND, IO, FORMAT. */
int simdrnn_load(const char *path, simdrnn_model **model);

/* The same from the file's bytes in memory (e.g. linked into the program); the bytes may be freed afterwards. */
int simdrnn_load_memory(const void *bytes, size_t length, simdrnn_model **model);

/* T, I and O (the classes of a classifying head) of the model; any pointer may be NULL. */
int simdrnn_model_info(const simdrnn_model *model, int *steps, int *inputs, int *classes);

/* The model's head: SIMDRNN_HEAD_CLASSIFY, _TAG, _REGRESS or _REGRESS_STEPS, and the floats simdrnn_predict
   writes per sequence (O, or T*O for a per-step head); any pointer may be NULL. */
enum { SIMDRNN_HEAD_CLASSIFY = 0, SIMDRNN_HEAD_TAG = 1, SIMDRNN_HEAD_REGRESS = 2, SIMDRNN_HEAD_REGRESS_STEPS = 3 };
int simdrnn_model_head(const simdrnn_model *model, int *kind, int *outputs_per_sequence);

/* The bytes simdrnn_session_create(model, max_batch, ...) will allocate, before creating it. */
int simdrnn_session_bytes(const simdrnn_model *model, int max_batch, int64_t *bytes);

/* Frees a model (NULL: nothing). Sessions of it fail afterwards with SIMDRNN_ERROR_DISPOSED; free them too. */
int simdrnn_model_free(simdrnn_model *model);

/* Creates a session for up to max_batch (>= 1) sequences per simdrnn_predict chunk and max_batch streams, with all
   its memory, its streams at the zero state. */
int simdrnn_session_create(simdrnn_model *model, int max_batch, simdrnn_session **session);

/* Frees a session (NULL: nothing). */
int simdrnn_session_free(simdrnn_session *session);

/* Predicts count (>= 0, any number: runs in chunks of max_batch) whole sequences: reads sequences[count*T*I],
   writes probabilities[count*O] (count*T*O for a per-step head). Leaves the streams of simdrnn_step as they are. */
int simdrnn_predict(simdrnn_session *session, const float *sequences, int count, float *probabilities);

/* As simdrnn_predict for sequences of their own lengths: sequence k has lengths[k] steps (1 <= lengths[k] <= T), still
   stored in T*I values whose steps past its length are ignored (PyTorch's pack_padded_sequence). lengths NULL: all T.
   Works for bidirectional models too. */
int simdrnn_predict_lengths(simdrnn_session *session, const float *sequences, int count, const int *lengths, float *probabilities);

/* Advances streams 0..streams-1 (1 <= streams <= max_batch) by one time step: reads input[streams*I] (stream k's
   values at k*I) and, unless probabilities is NULL, writes the head's outputs after this step into
   probabilities[streams*O]. After T steps from a reset they equal simdrnn_predict's for the same sequences.
   Streams from `streams` on keep their state. A bidirectional model cannot be streamed: SIMDRNN_ERROR_INVALID_ARGUMENT. */
int simdrnn_step(simdrnn_session *session, const float *input, int streams, float *probabilities);

/* Returns stream `stream` (0 <= stream < max_batch) to the zero state, or every stream when stream is -1. */
int simdrnn_reset(simdrnn_session *session, int stream);

#ifdef __cplusplus
}
#endif

#endif /* SIMDRNN_H */
