"""A debug run (KBC_COMPONENT_RUN_MODE=debug, set by Keboola) uploads out/files to File Storage: nothing of a person may
be there. keboola.component would record every HTTP exchange into out/files/vcr_debug_*.json; this component turns the
recording off (README: Debug runs)."""
import os

from helpers import base_parameters

DEBUG = {"KBC_COMPONENT_RUN_MODE": "debug", "CUSTOMERIO_RATE_LIMIT": "off"}


def files_text(data_dir: str) -> str:
    texts = []
    for folder, _, names in os.walk(os.path.join(data_dir, "out", "files")):
        for name in names:
            with open(os.path.join(folder, name), "rb") as handle:
                texts.append(handle.read().decode("utf-8", "replace"))
    return "\n".join(texts)


def test_a_debug_run_over_people_and_messages_leaves_nothing_personal_in_out_files(component, fake):
    ws = fake.workspace
    ws.people, ws.messages = 30, 40
    ws.extra_attributes = {"favourite_colour": "ultramarine-7f3a"}
    parameters = base_parameters(messages=[{"types": [], "since": "200 days ago"}], debug=True,
                                 customers=[{"filters": "", "attributes": "", "method": "api"}])
    result = component(parameters, env=DEBUG)
    assert result.exit_code == 0, result.output
    assert len(result.tables["customers"]) == 30 and len(result.tables["messages"]) == 40

    uploaded = files_text(result.data_dir)
    personal = {ws.person(q)["email"] for q in range(ws.people)} | {"ultramarine-7f3a"}
    personal |= {value for q in range(ws.people) for key, value in ws.attributes(q).items()
                 if key in ("first_name", "Company Name")}
    personal |= {row[key] for row in result.tables["messages"] for key in ("subject", "recipient") if row[key]}
    assert personal and not [value for value in personal if value in uploaded]
    assert not [name for name in os.listdir(os.path.join(result.data_dir, "out", "files")) if name.startswith("vcr")]
    assert "Debug run: no HTTP recording is made" in result.output


def test_a_debug_sync_action_still_answers_plain_json(component, fake):
    result = component(base_parameters(), action="list_segments", env=DEBUG)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("[") and not os.listdir(os.path.join(result.data_dir, "out", "files"))
