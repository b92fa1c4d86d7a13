def test_city_page_lists_stations(client):
    page = client.get("/").get_data(as_text=True)
    assert "护国派出所" in page and "东华红枫夜巡队" in page
