"""plstar's exit status (sysexits.h, as the command's) and the error that carries one (no dependencies)."""

EXIT_CERTIFIED, EXIT_REFUTED, EXIT_INCONCLUSIVE = 0, 1, 2
# EX_UNAVAILABLE (69): the plstar executable, NumPy or PyTorch is missing
EXIT_USAGE, EXIT_DATA, EXIT_NOINPUT, EXIT_UNAVAILABLE, EXIT_SOFTWARE, EXIT_CANTCREAT = 64, 65, 66, 69, 70, 73


class PlstarError(Exception):
    """A one-line error and the exit status that goes with it (64 usage, 65 data, 66 cannot open, ...)."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message
