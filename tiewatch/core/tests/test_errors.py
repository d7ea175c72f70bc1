from tiewatch.core.errors import Conflict, Problem, ValidationFailed, did_you_mean


def test_problem_formats_file_line_field_message() -> None:
    assert str(Problem("required", field="name", file="a.yaml", line=3)) == "a.yaml:3: name: required"
    assert str(Problem("bad", line=7)) == "line 7: bad"
    assert str(Problem("no such file", file="x.csv")) == "x.csv: no such file"


def test_error_json_shape_groups_messages_by_field() -> None:
    error = ValidationFailed("2 problems", [Problem("required", field="email"), Problem("too long", field="email"),
                                            Problem("whole form")])
    assert error.as_json() == {"error": {"code": "invalid", "message": "2 problems",
                                         "fields": {"email": ["required", "too long"], "__all__": ["whole form"]}}}
    assert error.status == 422 and Conflict("dup").status == 409


def test_did_you_mean() -> None:
    assert did_you_mean("trainng", ["training", "exchange"]) == " (did you mean 'training'?)"
    assert did_you_mean("zzz", ["training"]) == ""
