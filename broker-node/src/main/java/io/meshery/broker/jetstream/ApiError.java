package io.meshery.broker.jetstream;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A JetStream API error as nats-server 2.9.10 answers it: the HTTP-like {@code code}, the stable
 * {@code err_code} that clients test, and the description (its {@code errors.json}). Thrown by the API's
 * handlers and turned into the response's {@code error} object.
 */
final class ApiError extends RuntimeException {

    private static final long serialVersionUID = 1L;

    final int code;
    final int errCode;

    private ApiError(int code, int errCode, String description) {
        super(description, null, false, false);
        this.code = code;
        this.errCode = errCode;
    }

    static ApiError of(int code, int errCode, String description) {
        return new ApiError(code, errCode, description);
    }

    static ApiError badRequest() {
        return new ApiError(400, 10003, "bad request");
    }

    static ApiError invalidJson() {
        return new ApiError(400, 10025, "invalid JSON");
    }

    static ApiError invalidConfig(String why) {
        return new ApiError(500, 10052, why);
    }

    static ApiError messageTooLarge() {
        return new ApiError(400, 10054, "message size exceeds maximum allowed");
    }

    static ApiError streamMismatch() {
        return new ApiError(400, 10056, "stream name in subject does not match request");
    }

    static ApiError streamNameInUse() {
        return new ApiError(400, 10058, "stream name already in use with a different configuration");
    }

    static ApiError streamNotFound() {
        return new ApiError(404, 10059, "stream not found");
    }

    static ApiError noMessageFound() {
        return new ApiError(404, 10037, "no message found");
    }

    static ApiError expectedStreamMismatch() {
        return new ApiError(400, 10060, "expected stream does not match");
    }

    static ApiError subjectsOverlap() {
        return new ApiError(400, 10065, "subjects overlap with an existing stream");
    }

    static ApiError wrongLastMsgId(String id) {
        return new ApiError(400, 10070, "wrong last msg ID: " + id);
    }

    static ApiError wrongLastSequence(long seq) {
        return new ApiError(400, 10071, "wrong last sequence: " + seq);
    }

    static ApiError replicasNotSupported() {
        return new ApiError(500, 10074, "replicas > 1 not supported in non-clustered mode");
    }

    static ApiError limits(String why) {
        return new ApiError(500, 10053, why);
    }

    static ApiError storeFailed(String why) {
        return new ApiError(503, 10077, why);
    }

    /** Writes {@code "error":{"code","err_code","description"}} into {@code response}. */
    void writeTo(ObjectNode response) {
        ObjectNode e = response.putObject("error");
        e.put("code", code);
        e.put("err_code", errCode);
        e.put("description", getMessage());
    }
}
